/**
 * Wheel tags a target interpreter accepts, in priority order, as `packaging.tags.sys_tags()`
 * lists them for CPython (the platform tag spec and PEP 600/513/571/599 manylinux aliases):
 * `cpXY-cpXY-plat`, `cpXY-abi3-plat`, `cpXY-none-plat`, older `cp3N-abi3-plat`, then
 * `pyXY-none-plat`/`py3-none-plat`…, `cpXY-none-any`, `pyXY-none-any`/`py3-none-any`….
 */

export interface TagTarget {
  /** `3.11`. */
  readonly pythonVersion: string;
  /** `linux`, `darwin` or `win32` (sys.platform). */
  readonly sysPlatform: string;
  /** `x86_64`, `aarch64`, `arm64`, `AMD64`, … (platform.machine()). */
  readonly machine: string;
  /** glibc `major.minor` for manylinux (default 2.17 when unknown). */
  readonly glibc?: string;
  /** macOS `major.minor` (default 11.0 on arm64, 10.12 otherwise). */
  readonly macos?: string;
}

function linuxPlatforms(machine: string, glibc: string): string[] {
  const arch = machine === 'AMD64' ? 'x86_64' : machine === 'arm64' ? 'aarch64' : machine;
  const [, minorText = '17'] = glibc.split('.');
  const maxMinor = Number(minorText);
  // manylinux only covers glibc >= 2.17 outside x86 (PEP 599).
  const minMinor = arch === 'x86_64' || arch === 'i686' ? 5 : 17;
  const platforms: string[] = [];
  for (let minor = maxMinor; minor >= minMinor; minor--) {
    platforms.push(`manylinux_2_${minor}_${arch}`);
    const legacy = { 17: 'manylinux2014', 12: 'manylinux2010', 5: 'manylinux1' }[minor];
    if (legacy && (minor === 17 || arch === 'x86_64' || arch === 'i686'))
      platforms.push(`${legacy}_${arch}`);
  }
  platforms.push(`linux_${arch}`);
  return platforms;
}

function macPlatforms(machine: string, version: string): string[] {
  const arch = machine === 'aarch64' ? 'arm64' : machine === 'AMD64' ? 'x86_64' : machine;
  const [majorText = '11', minorText = '0'] = version.split('.');
  const major = Number(majorText);
  const formats =
    arch === 'arm64'
      ? ['arm64', 'universal2']
      : ['x86_64', 'intel', 'fat64', 'fat32', 'universal2', 'universal'];
  const platforms: string[] = [];
  for (let m = major; m >= 11; m--) {
    if (arch === 'x86_64' || m >= 11) for (const f of formats) platforms.push(`macosx_${m}_0_${f}`);
  }
  if (arch === 'x86_64') {
    const top = major === 10 ? Number(minorText) : 16;
    for (let minor = top; minor >= 4; minor--)
      for (const f of formats) platforms.push(`macosx_10_${minor}_${f}`);
  }
  return platforms;
}

function windowsPlatforms(machine: string): string[] {
  if (machine === 'ARM64' || machine === 'arm64' || machine === 'aarch64') return ['win_arm64'];
  if (machine === 'x86' || machine === 'i686') return ['win32'];
  return ['win_amd64'];
}

export function platformTags(target: TagTarget): string[] {
  if (target.sysPlatform === 'win32') return windowsPlatforms(target.machine);
  if (target.sysPlatform === 'darwin')
    return macPlatforms(
      target.machine,
      target.macos ?? (target.machine === 'arm64' ? '11.0' : '10.12'),
    );
  return linuxPlatforms(target.machine, target.glibc ?? '2.17');
}

/** The accepted tags, best first. */
export function compatibleTags(target: TagTarget): string[] {
  const [major = '3', minor = '0'] = target.pythonVersion.split('.');
  const nodot = `${major}${minor}`;
  const cp = `cp${nodot}`;
  const platforms = platformTags(target);
  const tags: string[] = [];
  for (const p of platforms) tags.push(`${cp}-${cp}-${p}`);
  const abi3 = Number(major) === 3 && Number(minor) >= 2;
  if (abi3) for (const p of platforms) tags.push(`${cp}-abi3-${p}`);
  for (const p of platforms) tags.push(`${cp}-none-${p}`);
  if (abi3) {
    for (let m = Number(minor) - 1; m >= 2; m--)
      for (const p of platforms) tags.push(`cp${major}${m}-abi3-${p}`);
  }
  const pyVersions = [`py${nodot}`, `py${major}`];
  for (let m = Number(minor) - 1; m >= 0; m--) pyVersions.push(`py${major}${m}`);
  for (const v of pyVersions) for (const p of platforms) tags.push(`${v}-none-${p}`);
  tags.push(`${cp}-none-any`);
  for (const v of pyVersions) tags.push(`${v}-none-any`);
  return tags;
}
