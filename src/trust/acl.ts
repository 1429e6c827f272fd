/**
 * Write access as a pure function of the set of valid control ops. No step depends on the order
 * ops arrived in, on local time, or on anything outside the set: every replica holding the same
 * ops reaches the same verdict on every envelope (orbitdb's current-state `canAppend` lacks this,
 * and replicas diverge under partitions).
 *
 * Rules:
 * - Root ops (author == the document key) are always authorized. Only root grants and revokes
 *   admins, so admins cannot fight each other and admin status never depends on admin ops.
 * - An admin op counts if its cseq lies in one of the admin's control windows; admins may grant,
 *   revoke and invite pinner, reader and writer roles.
 * - A Redeem gives its author the invite's role if the invite is valid, the invite key signed the
 *   joiner's key, and no valid Revoke of the invite key ends it (a revoke lists the redemptions
 *   its issuer had seen; those stay valid).
 * - A Revoke ends every grant of its subject it may end, except grants that name it in
 *   `supersedes` (a deliberate re-admission, anchored at or above its cutoff). Several revokes
 *   ending one grant: the highest cutoff wins, since each is what some admin really observed.
 * - Writes concurrent with a revocation: the subject's envelopes are valid up to the revoker's
 *   `contentCutoff`, extended to the highest `Witness` seq published by an active writer other
 *   than the subject (a writer that had already applied them says so). Later seqs are invalid
 *   everywhere. HLC stamps play no part: an author controls its own.
 */
import { toString as toHex } from 'uint8arrays'
import { Role, type ControlOp } from '../wire/trust.js'
import { DOMAIN, controlOpId, redeemProofBytes, verifyAs, verifyControlOp } from './signed.js'

export type RoleName = 'root' | 'admin' | 'writer' | 'reader' | 'pinner' | 'none'

const RANK: Record<Role, number> = {
  [Role.NONE]: 0, [Role.PINNER]: 1, [Role.READER]: 2, [Role.WRITER]: 3, [Role.ADMIN]: 4
}
const NAME: Record<Role, RoleName> = {
  [Role.NONE]: 'none', [Role.PINNER]: 'pinner', [Role.READER]: 'reader', [Role.WRITER]: 'writer', [Role.ADMIN]: 'admin'
}
const hex = (b: Uint8Array): string => toHex(b, 'base16')

interface Window {
  role: Role
  /** Content seqs after this are covered. */
  anchor: number
  revoked: boolean
  /** Highest content seq covered (Infinity while not revoked). */
  contentCutoff: number
  /** Highest control cseq covered. */
  controlCutoff: number
}

interface Entry { op: ControlOp, id: string, author: string }

export interface Member { key: string, role: RoleName }

export interface OpenInvite { key: string, id: string, role: RoleName, redeemedBy: string[] }

export interface AclView {
  /** The strongest role `key` holds now (revoked grants excluded). */
  roleOf: (key: string) => RoleName
  /** May `author` have written its envelope `seq`? The gossip and pull validators ask this. */
  canWrite: (author: string, seq: number) => boolean
  /** Checkpoints are content: only a current writer or admin may sign one. */
  canSignCheckpoint: (author: string) => boolean
  members: () => Member[]
  /** Open invites (their keys, hex), the role each grants, and the ids of valid Redeems of it. */
  invites: () => OpenInvite[]
  /** Ids (hex) of the ops issued with authority: root's, and admins' inside their windows (Invites, Rotates...). */
  issued: ReadonlySet<string>
}

// Signature checks dominate evaluation, and the ACL is re-evaluated as ops arrive: each op object
// is checked once. Ops are treated as immutable values once decoded or built.
const checked = new WeakMap<ControlOp, { id: string, valid: boolean }>()
const redeemChecked = new WeakMap<ControlOp, Map<string, boolean>>()

function check (op: ControlOp): { id: string, valid: boolean } {
  let result = checked.get(op)
  if (result === undefined) checked.set(op, result = { id: hex(controlOpId(op)), valid: verifyControlOp(op) })
  return result
}

function redeemProofValid (doc: Uint8Array, op: ControlOp, invitePub: Uint8Array): boolean {
  let byInvite = redeemChecked.get(op)
  if (byInvite === undefined) redeemChecked.set(op, byInvite = new Map())
  const key = hex(invitePub)
  let valid = byInvite.get(key)
  if (valid === undefined) {
    const r = op.redeem!
    valid = verifyAs(invitePub, DOMAIN.redeem, redeemProofBytes(doc, r.invite, op.author), r.inviteSignature)
    byInvite.set(key, valid)
  }
  return valid
}

function body (op: ControlOp): number {
  return [op.grant, op.revoke, op.invite, op.redeem, op.witness, op.rotate].filter(b => b != null).length
}

/** Evaluates the ACL of the document `doc` from a set of control ops (invalid ones are ignored). */
export function evaluateAcl (doc: Uint8Array, ops: Iterable<ControlOp>): AclView {
  const root = hex(doc)
  const byId = new Map<string, Entry>()
  for (const op of ops) {
    if (hex(op.doc) !== root || body(op) !== 1 || !Number.isSafeInteger(op.cseq)) continue
    const { id, valid } = check(op)
    if (valid && !byId.has(id)) byId.set(id, { op, id, author: hex(op.author) })
  }
  const entries = [...byId.values()]
  const rootOps = entries.filter(e => e.author === root)

  // 1. Admins: root grants, ended by root revokes only.
  const rootRevokes = rootOps.filter(e => e.op.revoke != null)
  const admin = windowsFrom(rootOps.filter(e => e.op.grant?.role === Role.ADMIN), rootRevokes)
  const adminAt = (key: string, cseq: number): boolean => (admin.get(key) ?? []).some(w => cseq <= w.controlCutoff)

  // 2. Ops issued with authority: root's, and admins' within their control windows.
  const issued = entries.filter(e => {
    if (e.author === root) return true
    if (!adminAt(e.author, e.op.cseq)) return false
    const { grant, invite } = e.op
    if (grant != null) return grant.role !== Role.ADMIN && grant.role !== Role.NONE
    if (invite != null) return invite.role !== Role.ADMIN && invite.role !== Role.NONE
    return e.op.revoke != null || e.op.rotate != null
  })
  const revokes = issued.filter(e => e.op.revoke != null)

  // 3. Member grants: issued grants, plus redemptions of valid, unrevoked invites.
  const grants: GrantOf[] = []
  for (const e of issued) {
    const g = e.op.grant
    if (g != null && g.role !== Role.ADMIN && g.role !== Role.NONE && g.subject.byteLength === 32) {
      grants.push({ subject: hex(g.subject), role: g.role, anchor: g.anchor, supersedes: g.supersedes.map(hex) })
    }
  }
  const invites = new Map<string, Entry>()
  for (const e of issued) if (e.op.invite != null && e.op.invite.invitePub.byteLength === 32) invites.set(e.id, e)
  const redeemed = new Map<string, string[]>()
  const inviteRevokes = (invitePub: string): Entry[] => revokes.filter(r => hex(r.op.revoke!.subject) === invitePub)
  for (const e of entries) {
    const r = e.op.redeem
    if (r == null || e.author === root) continue
    const invite = invites.get(hex(r.invite))?.op.invite
    if (invite == null) continue
    if (!redeemProofValid(doc, e.op, invite.invitePub)) continue
    const kept = (rv: Entry): boolean => rv.op.revoke!.redemptions.some(id => hex(id) === e.id)
    if (inviteRevokes(hex(invite.invitePub)).some(rv => !kept(rv))) continue
    grants.push({ subject: e.author, role: invite.role, anchor: r.anchor, supersedes: [] })
    const inviteId = hex(r.invite)
    redeemed.set(inviteId, [...(redeemed.get(inviteId) ?? []), e.id].sort())
  }
  const member = windowsFromGrants(grants, revokes)

  // 4. Witnesses from active writers extend revoked windows of others (never strict here).
  const witnessed = new Map<string, number>()
  const writerAt = (key: string, cseq: number): boolean =>
    adminAt(key, cseq) ||
    (member.get(key) ?? []).some(w => RANK[w.role] >= RANK[Role.WRITER] && cseq <= w.controlCutoff)
  for (const e of entries) {
    const w = e.op.witness
    if (w == null || !writerAt(e.author, e.op.cseq) || hex(w.subject) === e.author) continue
    const subject = hex(w.subject)
    witnessed.set(subject, Math.max(witnessed.get(subject) ?? 0, w.seq))
  }

  const windowsOf = (key: string): Window[] => [...(admin.get(key) ?? []), ...(member.get(key) ?? [])]
  const roleOf = (key: string): RoleName => {
    if (key === root) return 'root'
    let best: Role = Role.NONE
    for (const w of windowsOf(key)) if (!w.revoked && RANK[w.role] > RANK[best]) best = w.role
    return NAME[best]
  }
  const canWrite = (author: string, seq: number): boolean => windowsOf(author).some(w => {
    if (RANK[w.role] < RANK[Role.WRITER] || seq <= w.anchor) return false
    const cutoff = w.revoked ? Math.max(w.contentCutoff, witnessed.get(author) ?? 0) : Infinity
    return seq <= cutoff
  })
  const canSignCheckpoint = (author: string): boolean => roleOf(author) === 'admin' || roleOf(author) === 'writer'
  const members = (): Member[] => {
    const keys = new Set([...admin.keys(), ...member.keys()])
    return [...keys].map(key => ({ key, role: roleOf(key) }))
      .filter(m => m.role !== 'none')
      .sort((a, b) => a.key < b.key ? -1 : 1)
  }
  const openInvites = (): OpenInvite[] => [...invites.values()]
    .filter(e => inviteRevokes(hex(e.op.invite!.invitePub)).length === 0)
    .map(e => ({
      key: hex(e.op.invite!.invitePub), id: e.id, role: NAME[e.op.invite!.role], redeemedBy: redeemed.get(e.id) ?? []
    }))
    .sort((a, b) => a.id < b.id ? -1 : 1)
  return { roleOf, canWrite, canSignCheckpoint, members, invites: openInvites, issued: new Set(issued.map(e => e.id)) }
}

function windowsFrom (grantOps: Entry[], revokes: Entry[]): Map<string, Window[]> {
  return windowsFromGrants(grantOps.map(e => ({
    subject: hex(e.op.grant!.subject),
    role: e.op.grant!.role,
    anchor: e.op.grant!.anchor,
    supersedes: e.op.grant!.supersedes.map(hex)
  })), revokes)
}

interface GrantOf { subject: string, role: Role, anchor: number, supersedes: string[] }

function windowsFromGrants (grants: GrantOf[], revokes: Entry[]): Map<string, Window[]> {
  const out = new Map<string, Window[]>()
  for (const g of grants) {
    const against = revokes.filter(r => hex(r.op.revoke!.subject) === g.subject)
    // A re-admission must start above what the revoke it survives cut off.
    const survived = against.filter(r => g.supersedes.includes(r.id))
    if (survived.some(r => g.anchor < r.op.revoke!.contentCutoff)) continue
    const ending = against.filter(r => !g.supersedes.includes(r.id))
    const window: Window = {
      role: g.role, anchor: g.anchor, revoked: ending.length > 0, contentCutoff: Infinity, controlCutoff: Infinity
    }
    if (window.revoked) {
      window.contentCutoff = Math.max(...ending.map(r => r.op.revoke!.contentCutoff))
      window.controlCutoff = Math.max(...ending.map(r => r.op.revoke!.controlCutoff))
    }
    let list = out.get(g.subject)
    if (list === undefined) out.set(g.subject, list = [])
    list.push(window)
  }
  return out
}
