import type { NoteSyncState, NotesStatus } from '../shared/bridge.js'

export type Tone = 'offline' | 'connecting' | 'syncing' | 'synced'

/** What the badge of one note says. */
export function describeNote (
  state: NoteSyncState | undefined,
  workingOffline: boolean
): { label: string, tone: Tone, pending: string } {
  const pending = state === undefined || state.unconfirmed === 0
    ? ''
    : `${state.unconfirmed} ${state.unconfirmed === 1 ? 'edit' : 'edits'} not yet seen by any peer`
  switch (state?.status) {
    case 'synced': return { label: 'Synced', tone: 'synced', pending }
    case 'syncing': return { label: 'Syncing…', tone: 'syncing', pending }
    case 'connecting': return { label: 'Waiting for peers with this note', tone: 'connecting', pending }
    default: return { label: workingOffline ? 'Working offline' : 'Offline', tone: 'offline', pending }
  }
}

/** What the network line in the sidebar says. */
export function describeNetwork (status: NotesStatus | undefined): { label: string, tone: Tone } {
  if (status === undefined) return { label: 'Starting…', tone: 'connecting' }
  if (status.offline) return { label: 'Working offline', tone: 'offline' }
  const n = status.connectedPeers.length
  if (n === 0) return { label: 'Offline · no peers', tone: 'offline' }
  return { label: `Online · ${n} ${n === 1 ? 'peer' : 'peers'}`, tone: 'synced' }
}

export function relativeTime (ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (ms === 0) return ''
  if (s < 45) return 'just now'
  if (s < 90 * 60) return `${Math.max(1, Math.round(s / 60))} min ago`
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`
  return new Date(ms).toLocaleDateString()
}

/** "12D3KooW…x7Yz": enough of a peer id to recognise it. */
export function shortPeerId (id: string): string {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id
}
