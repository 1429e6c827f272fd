/**
 * Document id syntax check for CLI/config input (`--pin`), kept free of engine
 * imports so that client commands (`weft status`, ...) start fast. The admin
 * API uses the library's own `isValidDocId`; test/daemon-config.test.ts checks
 * that both agree.
 */
const DOC_ID = /^(?:[a-z2-7]{26}|[a-z2-7]{52})$/  // open | private (root public key)

export function isValidDocId (id: unknown): id is string {
  return typeof id === 'string' && DOC_ID.test(id)
}
