// eslint 9 flat config: neostandard (standard's rules for TypeScript: no semicolons, a space before
// function parentheses, 2-space indent), plus a line length of 120 that long URLs may exceed.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'bench/results/**', 'demo/notes/dist/**', 'src/wire/messages.ts', '**/node_modules/**']
  }),
  {
    rules: {
      'max-len': ['error', { code: 120, ignoreUrls: true }],
      // `void promise` marks a deliberate fire-and-forget call, as the code base writes it.
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
