// Starts a real Shequ server on demo data for one e2e test file.
//
//   const srv = await startServer()   // { baseURL, stop() }
//
// Runs `shequ demo` into a fresh SQLite file in a temp dir, then `shequ serve`
// on port 0 with the built console (web/dist), and waits for its
// "listening on http://127.0.0.1:PORT" line. stop() sends SIGTERM and removes
// the temp dir. SHEQU_BIN overrides the binary (default <repo>/build/shequ).
import { spawn, execFile } from 'node:child_process'
import { mkdtemp, rm, access } from 'node:fs/promises'
import { constants as fsConstants } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'

const here = path.dirname(fileURLToPath(import.meta.url))
export const WEB_DIR = path.resolve(here, '..')
export const REPO_ROOT = path.resolve(WEB_DIR, '..')
export const DIST_DIR = path.join(WEB_DIR, 'dist')
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'tests', 'artifacts', 'e2e')
export const SHEQU_BIN = process.env.SHEQU_BIN
  ? path.resolve(process.env.SHEQU_BIN)
  : path.join(REPO_ROOT, 'build', 'shequ')

export const DEMO_PASSWORD = 'Shequ-demo-2026'

const START_TIMEOUT_MS = 30_000

function run(bin, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n$ ${bin} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`
        reject(err)
      } else resolve({ stdout, stderr })
    })
  })
}

export async function checkPrerequisites() {
  await access(SHEQU_BIN, fsConstants.X_OK).catch(() => {
    throw new Error(`server binary not found or not executable: ${SHEQU_BIN} (build it, or set SHEQU_BIN)`)
  })
  await access(path.join(DIST_DIR, 'index.html')).catch(() => {
    throw new Error(`${DIST_DIR}/index.html missing: run \`npm run build\` in web/ first`)
  })
}

export async function startServer({ extraArgs = [] } = {}) {
  await checkPrerequisites()
  const dir = await mkdtemp(path.join(tmpdir(), 'shequ-e2e-'))
  const db = `sqlite:${path.join(dir, 'e2e.db')}`
  try {
    await run(SHEQU_BIN, ['demo', '--db', db, '--scale', 'small', '--seed', '1'], 120_000)
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }

  const child = spawn(SHEQU_BIN, [
    'serve', '--db', db, '--listen', '127.0.0.1:0', '--web', DIST_DIR, '--login-rate', '1000',
    ...extraArgs,
  ], { stdio: ['ignore', 'pipe', 'pipe'] })

  let output = ''
  const baseURL = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not print "listening on" within ${START_TIMEOUT_MS} ms:\n${output}`))
    }, START_TIMEOUT_MS)
    const onData = (chunk) => {
      output += chunk.toString()
      const m = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (chunk) => { output += chunk.toString() })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${output}`))
    })
  })
  // keep draining the pipes so the server never blocks on a full pipe
  child.stdout.on('data', (chunk) => { output = (output + chunk.toString()).slice(-20000) })
  child.stderr.on('data', (chunk) => { output = (output + chunk.toString()).slice(-20000) })

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 5000))
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL')
        await exited
      }
    }
    await rm(dir, { recursive: true, force: true })
  }

  return { baseURL, stop, log: () => output }
}

/**
 * The API of the server at `baseURL` as `user` with a bearer token (no
 * browser): {send(method, path, body, type), get(path), post(path, json),
 * patch(path, json)}; each answers {status, body} (the JSON, else the text).
 */
export async function apiAs(baseURL, user, password = DEMO_PASSWORD) {
  const res = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  })
  assert.equal(res.status, 200, `${user} signs in`)
  const { token } = await res.json()
  const send = async (method, path, body, type) => {
    const r = await fetch(`${baseURL}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(type ? { 'Content-Type': type } : {}) },
      body,
    })
    const text = await r.text()
    let parsed = null
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    return { status: r.status, body: parsed }
  }
  const json = (method) => (path, body) =>
    (body === undefined ? send(method, path) : send(method, path, JSON.stringify(body), 'application/json'))
  return { send, get: (path) => send('GET', path), post: json('POST'), patch: json('PATCH') }
}
