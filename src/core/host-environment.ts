/**
 * The marker variables this machine answers without asking Python: operating system and
 * processor. Python's own variables (python_version, implementation …) are left out, so
 * markers that use them count as unknown and the requirement is audited (fail closed).
 */
import os from 'node:os';
import type { MarkerEnvironment } from '../standards/markers.js';

export function hostMarkerEnvironment(): MarkerEnvironment {
  const platform = process.platform;
  const sysPlatform = platform === 'win32' ? 'win32' : platform === 'darwin' ? 'darwin' : platform;
  const system =
    platform === 'win32'
      ? 'Windows'
      : platform === 'darwin'
        ? 'Darwin'
        : platform === 'linux'
          ? 'Linux'
          : os.type();
  const machine = os.machine();
  return {
    os_name: platform === 'win32' ? 'nt' : 'posix',
    sys_platform: sysPlatform,
    platform_system: system,
    platform_machine: platform === 'win32' && machine === 'x86_64' ? 'AMD64' : machine,
    platform_release: os.release(),
    platform_version: os.version(),
  };
}
