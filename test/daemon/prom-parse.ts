/**
 * A strict parser for the Prometheus text exposition format (0.0.4), used by
 * the tests to check that `/metrics` is valid: every line is a HELP/TYPE
 * comment, a blank line or a well-formed sample; each family's TYPE comes once
 * and before its samples; samples belong to a declared family.
 */

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Family {
  name: string
  type: string
  help?: string
  samples: Sample[]
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*'
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

export function parsePrometheusText (text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  let current: Family | undefined
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line.slice(0, 120))}`
    if (line.trim() === '') return
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line)
      if (m == null) return // other comments are allowed
      const [, kind, name, rest] = m
      let fam = families.get(name)
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad TYPE at ${where}`)
        if (fam?.type != null && fam.type !== '') throw new Error(`second TYPE for ${name} at ${where}`)
        if (fam != null && fam.samples.length > 0) throw new Error(`TYPE after samples for ${name} at ${where}`)
        fam ??= { name, type: rest, samples: [] }
        fam.type = rest
      } else {
        if (fam?.help != null) throw new Error(`second HELP for ${name} at ${where}`)
        fam ??= { name, type: '', samples: [] }
        fam.help = rest
      }
      families.set(name, fam)
      current = fam
      return
    }
    const sample = parseSample(line, where)
    const fam = familyOf(sample.name, families, current)
    if (fam == null) throw new Error(`sample for an undeclared family at ${where}`)
    fam.samples.push(sample)
  })
  for (const fam of families.values()) {
    if (fam.type === '') fam.type = 'untyped'
  }
  return families
}

function familyOf (name: string, families: Map<string, Family>, current: Family | undefined): Family | undefined {
  const direct = families.get(name)
  if (direct != null) return direct
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created']) {
    if (name.endsWith(suffix)) {
      const f = families.get(name.slice(0, -suffix.length))
      if (f != null) return f
    }
  }
  return current?.type === 'untyped' ? current : undefined
}

function parseSample (line: string, where: string): Sample {
  const m = new RegExp(`^(${NAME})(\\{(.*)\\})? (\\S+)( -?\\d+)?$`).exec(line)
  if (m == null) throw new Error(`malformed sample at ${where}`)
  const [, name, , labelText, valueText] = m
  const labels: Record<string, string> = {}
  if (labelText != null && labelText !== '') {
    let rest = labelText
    const re = new RegExp(`^(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"(,|$)`)
    while (rest !== '') {
      const lm = re.exec(rest)
      if (lm == null) throw new Error(`malformed labels at ${where}`)
      if (labels[lm[1]] !== undefined) throw new Error(`repeated label ${lm[1]} at ${where}`)
      labels[lm[1]] = lm[2].replace(/\\(["\\n])/g, (_s, c: string) => c === 'n' ? '\n' : c)
      rest = rest.slice(lm[0].length)
    }
  }
  let value: number
  if (valueText === '+Inf') value = Infinity
  else if (valueText === '-Inf') value = -Infinity
  else if (valueText === 'NaN') value = NaN
  else {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(valueText)) throw new Error(`bad value at ${where}`)
    value = Number(valueText)
  }
  return { name, labels, value }
}

/** Sum of a family's samples whose labels include `match`. */
export function sumOf (families: Map<string, Family>, name: string, match: Record<string, string> = {}): number {
  const fam = families.get(name)
  if (fam == null) return 0
  return fam.samples
    .filter(s => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0)
}
