// Small helpers for the registry (一标三实) browser tests.
import { rmSync } from 'node:fs'
import { writeFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** GET /api/v1<path> with the page's session cookie → parsed JSON (throws on non-2xx). */
export async function apiGet(page, apiPath) {
  const res = await page.request.get(`/api/v1${apiPath}`)
  if (!res.ok()) throw new Error(`GET ${apiPath} → ${res.status()}: ${await res.text()}`)
  return res.json()
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECKS = '10X98765432'

/** An 18-character resident ID (GB 11643-1999) with a correct check character. */
export function residentId(region6, yyyymmdd, sequence3) {
  const body = `${region6}${yyyymmdd}${String(sequence3).padStart(3, '0')}`
  const sum = [...body].reduce((s, d, i) => s + Number(d) * WEIGHTS[i], 0)
  return body + CHECKS[sum % 11]
}

/**
 * A persons CSV: `good` valid rows (born 1931-1935, Changning region code, in
 * `areaCode`) and, when `bad` is given, one row whose document number fails
 * its check character. Returns { file, names, badNumber }.
 */
export async function personsCsv({ good, areaCode, bad = true, tag = 'E2E' }) {
  const header = 'name,document_type,document_number,sex,birth_date,phone,hukou,ethnicity,area_code'
  const lines = [header]
  const names = []
  for (let i = 0; i < good; i++) {
    const year = 1931 + (i % 5)
    const month = String(1 + (i % 12)).padStart(2, '0')
    const day = String(1 + (Math.floor(i / 12) % 28)).padStart(2, '0')
    // sequences 901..999 and then upward in steps of two: unlikely to meet the demo's own
    const seq = 901 + ((Math.floor(i / 336) * 2) % 98)
    const male = seq % 2 === 1
    const name = `${tag}导入${i + 1}`
    names.push(name)
    lines.push([name, 'resident_id', residentId('310105', `${year}${month}${day}`, seq), male ? 'male' : 'female',
      `${year}-${month}-${day}`, '', 'registered', '汉族', areaCode].join(','))
  }
  let badNumber = null
  if (bad) {
    const valid = residentId('310105', '19360214', 902)
    badNumber = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0') // wrong check character
    lines.push([`${tag}错误行`, 'resident_id', badNumber, 'female', '1936-02-14', '', 'registered', '汉族', areaCode].join(','))
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'shequ-import-'))
  // Test files live only as long as the test process.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, `${tag.toLowerCase()}-persons.csv`)
  await writeFile(file, lines.join('\r\n') + '\r\n', 'utf8')
  return { file, names, badNumber }
}
