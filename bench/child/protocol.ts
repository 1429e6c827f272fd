/** IPC messages between the benchmark process and a child peer process (bench/child/peer.ts). */
export type SystemKind = 'weft' | 'mesh' | 'floor' | 'y-websocket' | 'yws-server'

export interface Request { id: number, cmd: string, args?: any }
export interface Reply { id: number, ok: boolean, result?: any, error?: string }
/** Unsolicited event: a receiver saw its text reach `len` at `t` (process.hrtime.bigint(), ns, as a string). */
export interface SeenEvent { ev: 'seen', len: number, t: string }
export type ChildMessage = Reply | SeenEvent
