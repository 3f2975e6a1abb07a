// Checks that need no server: the built page and the translations.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { DIST_DIR, WEB_DIR } from './server.mjs'

function keys(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])
}

test('zh-CN and en have the same message keys, none empty', async () => {
  const zh = (await import(path.join(WEB_DIR, 'src/i18n/zh-CN.js'))).default
  const en = (await import(path.join(WEB_DIR, 'src/i18n/en.js'))).default
  const zk = keys(zh).sort()
  const ek = keys(en).sort()
  assert.deepEqual(zk.filter((k) => !ek.includes(k)), [], 'missing in en')
  assert.deepEqual(ek.filter((k) => !zk.includes(k)), [], 'missing in zh-CN')
  for (const k of zk) {
    const get = (o) => k.split('.').reduce((x, p) => x[p], o)
    assert.ok(String(get(zh)).trim(), `zh-CN ${k} empty`)
    assert.ok(String(get(en)).trim(), `en ${k} empty`)
  }
})

test('dist/index.html has no inline script and its assets are hashed', async () => {
  const html = await readFile(path.join(DIST_DIR, 'index.html'), 'utf8')
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
  assert.ok(scripts.length >= 1)
  for (const [, attrs, body] of scripts) {
    assert.match(attrs, /\bsrc=/, 'every script has a src')
    assert.equal(body.trim(), '', 'no inline script body')
  }
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers')
  const assets = await readdir(path.join(DIST_DIR, 'assets'))
  assert.ok(assets.some((f) => /^index-[\w-]{8,}\.js$/.test(f)), 'hashed entry script')
  for (const f of assets.filter((f) => f.endsWith('.js'))) {
    const js = await readFile(path.join(DIST_DIR, 'assets', f), 'utf8')
    assert.doesNotMatch(js, /new Function\(/, `${f} uses new Function (blocked by CSP)`)
  }
})
