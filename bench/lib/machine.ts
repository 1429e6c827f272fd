/** What the numbers were measured on. */
import os from 'node:os'

export interface MachineInfo {
  cpuModel: string
  cores: number
  totalMemoryMiB: number
  node: string
  platform: string
  loadAverage: number[]
}

export function machineInfo (): MachineInfo {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map(x => Math.round(x * 100) / 100)
  }
}
