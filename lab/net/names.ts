/** Everything the lab creates (namespaces, mount points) is named with this prefix, so `lab cleanup` finds it. */
export const LAB_PREFIX = 'weftlab-'

/** Data directories and tmpfs mounts live under here. */
export const LAB_ROOT = '/tmp/weftlab'
