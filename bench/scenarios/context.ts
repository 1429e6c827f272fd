import type { SystemName } from '../systems/types.js'

export interface ScenarioContext {
  quick: boolean
  systems: SystemName[]
}

/** A scenario (or one system's part of it) that could not run, and why. Printed in the report. */
export interface SkipNote {
  scenario: string
  system?: SystemName | string
  n?: number
  reason: string
}
