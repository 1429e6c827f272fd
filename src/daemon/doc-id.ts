/**
 * The document id check the CLI and the config parser use: the library's own, from the
 * dependency-light src/doc-id.ts, so client commands (`weft status`, ...) start fast.
 */
export { isValidDocId } from '../doc-id.js'
