/**
 * The public surface shared by the Node entry (`index.ts`) and the browser entry
 * (`browser.ts`): each adds only its own `createWeft`. Anything not listed here is
 * internal and may change without notice.
 */
export { isValidDocId, newDocId, DOC_ID_PATTERN } from './doc-id.js'
export { DocAdoptionError } from './engine.js'
export { HybridLogicalClock, compareHlc, packHlc, unpackHlc } from './clock/hlc.js'
export type { ClockSkewEvent, HlcStamp, HybridLogicalClockOptions } from './clock/hlc.js'
export { REMOTE_ORIGIN } from './replica/replica.js'
export { DEFAULTS, PROTOCOL } from './defaults.js'
export { METRIC } from './metrics/metrics.js'
export { WeftProvider } from './provider/weft-provider.js'
export type {
  WeftProviderOptions,
  WeftProviderEvents,
  ProviderStatus,
  ProviderStatusEvent
} from './provider/weft-provider.js'
export { AwarenessChannel } from './presence/channel.js'
export type { AwarenessChannelStats, AwarenessChannelEvents } from './presence/channel.js'
export { DEFAULT_AWARENESS_LIMITS } from './presence/gate.js'
export type { AwarenessLimits, AwarenessDropReason } from './presence/gate.js'
export type { WeftServices, WeftLibp2p } from './net/libp2p-node.js'
export type {
  AccessRole, CreateOptions, DocHandle, DocMember, DocSnapshot, HandleEvents, OpenOptions, PeerInfoSnapshot, SyncStatus,
  Weft, WeftEvents, WeftMetrics, WeftOptions, TlsOptions
} from './types.js'
export type { HistoryEntry } from './replica/history.js'
export { parseLink, formatLink, LinkError } from './trust/link.js'
export type { Link, LinkRole } from './trust/link.js'
export { isPrivateDocId } from './trust/keys.js'
