/**
 * Python source shared by the scripts that ask an interpreter about itself (the environment
 * it audits, the target it resolves for): they import only the standard library and print
 * JSON. `PYTHON_PROBE_PRELUDE` defines `full(version_info)`; `PYTHON_MARKERS` is the dict of
 * PEP 508 marker variables, as `packaging.markers.default_environment()` computes them.
 */
export const PYTHON_PROBE_PRELUDE = `
import json, os, platform, sys
def full(info):
    v = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        v += info.releaselevel[0] + str(info.serial)
    return v`;

export const PYTHON_MARKERS = `{
        "implementation_name": sys.implementation.name,
        "implementation_version": full(sys.implementation.version),
        "os_name": os.name, "platform_machine": platform.machine(),
        "platform_release": platform.release(), "platform_system": platform.system(),
        "platform_version": platform.version(), "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]), "sys_platform": sys.platform,
    }`;
