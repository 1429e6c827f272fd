import type { Ack, DocState } from '../peer/protocol.js'

export interface AckRecord extends Ack {
  peer: number
  kind: 'text' | 'map'
  token: string
}

export interface Verdict {
  converged: boolean
  /** Acknowledged edits missing from at least one replica. */
  lost: AckRecord[]
  details: string[]
}

const sorted = (map: Record<string, unknown>): string =>
  JSON.stringify(Object.keys(map).sort().map(k => [k, map[k]]))

/**
 * Lives in the controller, outside every peer: records each edit a writer
 * acknowledged (its `flush()` resolved) and judges the replicas' final states.
 */
export class Checker {
  readonly acks: AckRecord[] = []

  record (ack: AckRecord): void {
    this.acks.push(ack)
  }

  /** Whether `state` holds `ack`: the Yjs id range reached it, and its content is there. */
  static holds (state: DocState, ack: AckRecord): boolean {
    if ((state.sv[String(ack.client)] ?? 0) < ack.clock) return false
    return ack.kind === 'text' ? state.text.includes(ack.token) : state.map[ack.token] === ack.token
  }

  /** `states[i]` is replica i's final state, or undefined when it could not be read. */
  judge (states: Array<DocState | undefined>): Verdict {
    const details: string[] = []
    const readable = states.filter((s): s is DocState => s !== undefined)
    states.forEach((s, i) => { if (s === undefined) details.push(`h${i}: state unreadable`) })
    const key = (s: DocState): string => `${sorted(s.sv)}|${s.text}|${sorted(s.map)}`
    const first = readable[0]
    let converged = readable.length === states.length
    readable.forEach((s, i) => {
      if (first !== undefined && key(s) !== key(first)) {
        converged = false
        const which = `h${states.indexOf(s)} differs from h${states.indexOf(first)}`
        details.push(`${which}: sv ${sorted(s.sv)} vs ${sorted(first.sv)}`)
      }
      void i
    })
    const lost = this.acks.filter(ack => readable.some(s => !Checker.holds(s, ack)))
    for (const ack of lost.slice(0, 5)) {
      const missing = states.map((s, i) => s !== undefined && !Checker.holds(s, ack) ? `h${i}` : '').filter(Boolean)
      details.push(`acknowledged ${ack.kind} edit ${ack.token} by h${ack.peer} missing on ${missing.join(',')}`)
    }
    return { converged, lost, details }
  }

  /** Cheap test used while polling: converged and nothing acknowledged missing. */
  settled (states: DocState[]): boolean {
    const v = this.judge(states)
    return v.converged && v.lost.length === 0
  }
}
