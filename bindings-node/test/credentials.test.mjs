// new Client({ credential }): the real @azure/identity pointed at the simulator, objects shaped
// like its credentials (and ones that throw, answer garbage or never answer), and the library's
// own credential classes, each over HTTP against the simulator's identity endpoints.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import util from 'node:util'
import { fileURLToPath } from 'node:url'
import * as identity from '@azure/identity'
import {
  Client,
  Simulator,
  IntuneAppleError,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  GitHubActionsCredential,
  AzureCliCredential,
  DeviceCodeCredential,
  DefaultAzureCredential,
} from '../index.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const HOUR = 3600 * 1000

async function withSim(fn) {
  const sim = Simulator.start()
  try {
    return await fn(sim)
  } finally {
    sim.stop()
  }
}

/** Sets `vars` in process.env for the duration of `fn`, then puts the old values back. */
async function withEnv(vars, fn) {
  const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  Object.assign(process.env, vars)
  try {
    return await fn()
  } finally {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** The error `promise` rejects with, checked to be an IntuneAppleError. */
async function failure(promise) {
  try {
    await promise
  } catch (e) {
    assert.ok(e instanceof IntuneAppleError, `not an IntuneAppleError: ${e}`)
    return e
  }
  assert.fail('expected a rejection')
}

function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `intune-apple-${name}-`))
}

test("@azure/identity's ManagedIdentityCredential (App Service form) signs a Client in", () =>
  withSim(async (sim) => {
    await withEnv({ IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader }, async () => {
      const credential = new identity.ManagedIdentityCredential()
      const client = new Client({ credential, baseUrl: sim.baseUrl })
      const cert = await client.getPushCertificate()
      assert.match(cert.topicIdentifier, /^com\.apple\.mgmt\.External\./)
      const tokens = await client.vppTokens().toArray()
      assert.ok(tokens.length > 0)
      const msi = sim.requestLog().filter((r) => r.path.startsWith('/msi/token'))
      assert.equal(msi.length, 1, 'one token for both calls')
    })
  }))

test('@azure/identity in a child process whose environment names the identity endpoint', () =>
  withSim(async (sim) => {
    const script = `
      import { ManagedIdentityCredential } from '@azure/identity'
      import { Client } from ${JSON.stringify(path.join(here, '../index.mjs'))}
      const client = new Client({ credential: new ManagedIdentityCredential(), baseUrl: process.env.GRAPH })
      const cert = await client.getPushCertificate()
      process.stdout.write(cert.topicIdentifier)
    `
    const env = { ...process.env, IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader, GRAPH: sim.baseUrl }
    const out = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { env, cwd: path.join(here, '..'), timeout: 30000 }, (e, stdout, stderr) =>
        e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))
    })
    assert.match(out, /^com\.apple\.mgmt\.External\./)
  }))

test('20 concurrent calls on a fresh client make exactly 1 token request', () =>
  withSim(async (sim) => {
    // The library's own credential: the simulator counts its managed-identity requests.
    const ours = new ManagedIdentityCredential({ identityEndpoint: sim.identityEndpoint, identityHeader: sim.identityHeader })
    const client = new Client({ credential: ours, baseUrl: sim.baseUrl })
    const results = await Promise.all(Array.from({ length: 20 }, () => client.getPushCertificate()))
    assert.equal(results.length, 20)
    assert.equal(sim.tokenRequests(), 1)
    // A JavaScript credential object: asked once for the 20 calls too.
    let calls = 0
    const counting = {
      async getToken(scopes, options) {
        calls += 1
        assert.deepEqual(scopes, ['https://graph.microsoft.com/.default'])
        assert.equal(typeof options, 'object')
        await new Promise((resolve) => setImmediate(resolve))
        return { token: sim.issueToken(), expiresOnTimestamp: Date.now() + HOUR }
      },
    }
    const js = new Client({ credential: counting, baseUrl: sim.baseUrl })
    await Promise.all(Array.from({ length: 20 }, () => js.getPushCertificate()))
    assert.equal(calls, 1)
  }))

test('a credential that throws, rejects or answers garbage is a typed error naming it', () =>
  withSim(async (sim) => {
    class SealedVault {
      getToken() {
        throw new Error('the vault is sealed')
      }
    }
    class Rejecting {
      async getToken() {
        throw new TypeError('no network')
      }
    }
    class Garbage {
      async getToken() {
        return { not: 'a token' }
      }
    }
    class NoExpiry {
      async getToken() {
        return { token: sim.issueToken(), expiresOnTimestamp: Number.NaN }
      }
    }
    class Expired {
      async getToken() {
        return { token: sim.issueToken(), expiresOnTimestamp: Date.now() - HOUR }
      }
    }
    class Plain {
      getToken() {
        return 42
      }
    }
    class Null {
      async getToken() {
        return null
      }
    }
    for (const [credential, words] of [
      [new SealedVault(), ['SealedVault', 'threw', 'the vault is sealed']],
      [new Rejecting(), ['Rejecting', 'rejected', 'no network']],
      [new Garbage(), ['Garbage', '`token`']],
      [new NoExpiry(), ['NoExpiry', 'expiresOnTimestamp']],
      [new Expired(), ['Expired', 'expired']],
      [new Plain(), ['Plain', '`token`']],
      [new Null(), ['Null', '`token`']],
      [{ getToken: async () => 'text' }, ['TokenCredential', '`token`']],
      // Someone else's code: getters and throws of anything never leave an exception behind.
      [{ getToken: () => ({ get token() { throw new Error('getter') } }) }, ['TokenCredential', '`token`']],
      [{ getToken: async () => ({ token: 'x', get expiresOnTimestamp() { throw new Error('getter') } }) }, ['expiresOnTimestamp']],
      [{ getToken() { throw Symbol('s') } }, ['threw', 'a value without a message']],
      [{ getToken: () => Promise.reject() }, ['rejected', 'a value without a message']],
    ]) {
      const client = new Client({ credential, baseUrl: sim.baseUrl })
      const e = await failure(client.getPushCertificate())
      assert.equal(e.code, 'ERR_UNAUTHORIZED', e.message)
      for (const word of words) assert.ok(e.message.includes(word), `${word} not in: ${e.message}`)
    }
    assert.equal(sim.requestLog().filter((r) => r.bearer).length, 0, 'nothing reached Graph')
    // Not a credential at all: refused when the client is built.
    const trap = new Proxy({}, { get() { throw new Error('trap') } })
    for (const credential of [{}, 'token', 42, { getToken: 'no' }, trap, { get getToken() { throw new Error('getter') } }]) {
      assert.throws(() => new Client({ credential, baseUrl: sim.baseUrl }), (e) => {
        assert.ok(e instanceof IntuneAppleError)
        assert.equal(e.code, 'ERR_CONFIGURATION')
        assert.match(e.message, /getToken/)
        return true
      })
    }
  }))

test('a credential that never answers is a typed error within the attempt timeout', () =>
  withSim(async (sim) => {
    class Silent {
      getToken() {
        return new Promise(() => {})
      }
    }
    const client = new Client({ credential: new Silent(), baseUrl: sim.baseUrl, timeouts: { attemptMs: 300 } })
    const started = Date.now()
    const e = await failure(client.getPushCertificate())
    const took = Date.now() - started
    assert.equal(e.code, 'ERR_TRANSPORT')
    assert.match(e.message, /Silent: no answer within/)
    assert.ok(took < 5000, `took ${took} ms`)
    // The client is still usable for the calls after it, and fails the same bounded way.
    const again = await failure(client.getPushCertificate())
    assert.equal(again.code, 'ERR_TRANSPORT')
  }))

test('ManagedIdentityCredential: explicit endpoint, from the environment, user-assigned by each id', () =>
  withSim(async (sim) => {
    const app = { identityEndpoint: sim.identityEndpoint, identityHeader: sim.identityHeader }
    const ua = sim.userAssignedIdentity
    for (const credential of [
      new ManagedIdentityCredential(app),
      new ManagedIdentityCredential({ ...app, clientId: ua.clientId }),
      new ManagedIdentityCredential({ ...app, objectId: ua.objectId }),
      new ManagedIdentityCredential({ ...app, resourceId: ua.resourceId }),
      ManagedIdentityCredential.fromEnv({ IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader }),
      ManagedIdentityCredential.fromEnv({ AZURE_POD_IDENTITY_AUTHORITY_HOST: sim.baseUrl }, { clientId: ua.clientId }),
      new ManagedIdentityCredential({ imdsHost: sim.baseUrl }),
    ]) {
      const client = new Client({ credential, baseUrl: sim.baseUrl })
      assert.ok((await client.getPushCertificate()).topicIdentifier, String(credential))
    }
    const paths = sim.requestLog().map((r) => r.path)
    assert.ok(paths.some((p) => p.startsWith('/metadata/identity/oauth2/token')), 'IMDS form used')
    assert.ok(paths.some((p) => p.includes(encodeURIComponent(ua.resourceId)) || p.includes(ua.resourceId)), 'resource id sent')
    const named = new ManagedIdentityCredential({ ...app, clientId: ua.clientId })
    assert.equal(String(named), `ManagedIdentityCredential(source='App Service / Functions / Automation (IDENTITY_ENDPOINT)', clientId='${ua.clientId}')`)
    assert.equal(util.inspect(named), String(named))
    // fromEnv takes the user-assigned AZURE_CLIENT_ID, as the chain does.
    const fromVars = ManagedIdentityCredential.fromEnv({ IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader, AZURE_CLIENT_ID: ua.clientId })
    assert.match(String(fromVars), new RegExp(`clientId='${ua.clientId}'`))
    assert.ok((await new Client({ credential: fromVars, baseUrl: sim.baseUrl }).getPushCertificate()).topicIdentifier)
    assert.throws(() => new ManagedIdentityCredential({ clientId: 'a', objectId: 'b' }), { code: 'ERR_CONFIGURATION' })
    assert.throws(() => new ManagedIdentityCredential({ identityEndpoint: sim.identityEndpoint }), { code: 'ERR_CONFIGURATION' })
  }))

test('WorkloadIdentityCredential: a federated token file, explicit and from the environment', () =>
  withSim(async (sim) => {
    const dir = tempDir('wi')
    const file = path.join(dir, 'token')
    fs.writeFileSync(file, sim.federatedToken(3600))
    const explicit = new WorkloadIdentityCredential({ tenantId: sim.tenantId, clientId: sim.federatedClientId, tokenFile: file })
    const vars = { AZURE_TENANT_ID: sim.tenantId, AZURE_CLIENT_ID: sim.federatedClientId, AZURE_FEDERATED_TOKEN_FILE: file }
    for (const credential of [explicit, WorkloadIdentityCredential.fromEnv(vars)]) {
      const client = new Client({ credential, baseUrl: sim.baseUrl, authorityHost: sim.authorityHost })
      assert.ok((await client.getPushCertificate()).topicIdentifier)
    }
    // The whole chain picks it from the same variables.
    const client = Client.fromEnv({ ...vars, INTUNE_APPLE_GRAPH_URL: sim.baseUrl, AZURE_AUTHORITY_HOST: sim.authorityHost })
    assert.ok((await client.getPushCertificate()).topicIdentifier)
    assert.throws(() => WorkloadIdentityCredential.fromEnv({}), (e) => e.code === 'ERR_CONFIGURATION' && /AZURE_FEDERATED_TOKEN_FILE/.test(e.message))
    fs.rmSync(dir, { recursive: true, force: true })
  }))

test('GitHubActionsCredential: the runner ID token exchanged, explicit and from the environment', () =>
  withSim(async (sim) => {
    const explicit = new GitHubActionsCredential({
      tenantId: sim.tenantId,
      clientId: sim.federatedClientId,
      requestUrl: sim.githubIdTokenUrl,
      requestToken: sim.githubRequestToken,
    })
    const fromEnv = GitHubActionsCredential.fromEnv({
      AZURE_TENANT_ID: sim.tenantId,
      AZURE_CLIENT_ID: sim.federatedClientId,
      ACTIONS_ID_TOKEN_REQUEST_URL: sim.githubIdTokenUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: sim.githubRequestToken,
    })
    for (const credential of [explicit, fromEnv]) {
      const client = new Client({ credential, baseUrl: sim.baseUrl, authorityHost: sim.authorityHost })
      assert.ok((await client.getPushCertificate()).topicIdentifier)
    }
    assert.ok(sim.requestLog().some((r) => r.path.startsWith('/_github/idtoken')))
    assert.throws(() => GitHubActionsCredential.fromEnv({}), (e) => e.code === 'ERR_CONFIGURATION' && /id-token: write/.test(e.message))
  }))

test('AzureCliCredential: az found on the given search path', { skip: process.platform === 'win32' }, () =>
  withSim(async (sim) => {
    const dir = tempDir('az')
    const expires = Math.floor(Date.now() / 1000) + 3600
    const answer = JSON.stringify({ accessToken: sim.issueToken(), expires_on: expires, tokenType: 'Bearer', tenant: 't' })
    fs.writeFileSync(path.join(dir, 'az'), `#!/bin/sh\necho '${answer}'\n`, { mode: 0o755 })
    const client = new Client({ credential: new AzureCliCredential({ searchPath: dir }), baseUrl: sim.baseUrl })
    assert.ok((await client.getPushCertificate()).topicIdentifier)
    const out = tempDir('az-out')
    fs.writeFileSync(path.join(out, 'az'), "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n", { mode: 0o755 })
    const loggedOut = new Client({ credential: new AzureCliCredential({ searchPath: out, tenantId: sim.tenantId }), baseUrl: sim.baseUrl })
    const e = await failure(loggedOut.getPushCertificate())
    assert.match(e.message, /AzureCliCredential/)
    assert.match(e.message, /az login/)
    fs.rmSync(dir, { recursive: true, force: true })
    fs.rmSync(out, { recursive: true, force: true })
  }))

test('DeviceCodeCredential: the prompt goes to standard error, then the sign-in completes', () =>
  withSim(async (sim) => {
    assert.throws(
      () => new DeviceCodeCredential({ tenantId: sim.tenantId, clientId: '14d82eec-204b-4c2f-b7e8-296a70dab67e' }),
      (e) => e.code === 'ERR_CONFIGURATION' && /register your own app/.test(e.message),
    )
    // In a child process, to see its standard error; the simulator asks it to poll every 5 s.
    const script = `
      import { Client, DeviceCodeCredential } from ${JSON.stringify(path.join(here, '../index.mjs'))}
      const credential = new DeviceCodeCredential({ tenantId: process.env.TENANT, clientId: process.env.PUBLIC })
      const client = new Client({ credential, baseUrl: process.env.GRAPH, authorityHost: process.env.AUTHORITY })
      process.stdout.write((await client.getPushCertificate()).topicIdentifier)
    `
    const env = { ...process.env, TENANT: sim.tenantId, PUBLIC: sim.publicClientId, GRAPH: sim.baseUrl, AUTHORITY: sim.authorityHost }
    const { stdout, stderr } = await new Promise((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 60000 }, (e, stdout, stderr) =>
        e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve({ stdout, stderr }))
    })
    assert.match(stdout, /^com\.apple\.mgmt\.External\./)
    assert.match(stderr, /https:\/\/microsoft\.com\/devicelogin/)
    assert.match(stderr, /SIMCODE42/)
  }))

test('DefaultAzureCredential: the chain, AZURE_TOKEN_CREDENTIALS, and Client.fromEnv choosing it', () =>
  withSim(async (sim) => {
    const vars = { IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader }
    const chain = DefaultAzureCredential.fromEnv(vars)
    assert.deepEqual(chain.steps, ['EnvironmentCredential', 'WorkloadIdentityCredential', 'ManagedIdentityCredential', 'AzureCliCredential'])
    const client = new Client({ credential: chain, baseUrl: sim.baseUrl, authorityHost: sim.authorityHost })
    assert.ok((await client.getPushCertificate()).topicIdentifier)
    const only = DefaultAzureCredential.fromEnv({ ...vars, AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' })
    assert.deepEqual(only.steps, ['ManagedIdentityCredential'])
    assert.throws(() => DefaultAzureCredential.fromEnv({ AZURE_TOKEN_CREDENTIALS: 'nonsense' }), { code: 'ERR_CONFIGURATION' })
    // Client.fromEnv picks the chain when no secret, certificate or token is named.
    const fromEnv = Client.fromEnv({ ...vars, INTUNE_APPLE_GRAPH_URL: sim.baseUrl })
    assert.ok((await fromEnv.getPushCertificate()).topicIdentifier)
    // Nothing usable: the chain's error lists what it tried.
    const nothing = new Client({
      credential: DefaultAzureCredential.fromEnv({ AZURE_TOKEN_CREDENTIALS: 'EnvironmentCredential' }),
      baseUrl: sim.baseUrl,
    })
    const e = await failure(nothing.getPushCertificate())
    assert.equal(e.code, 'ERR_UNAUTHORIZED')
    assert.match(e.message, /EnvironmentCredential/)
    assert.ok(String(new DefaultAzureCredential()).startsWith("DefaultAzureCredential(steps=['"))
  }))

test('secrets never appear in error messages or util.inspect output', () =>
  withSim(async (sim) => {
    const canaryHeader = 'canary-identity-header-7f3e'
    const token = sim.issueToken()
    const federated = sim.federatedToken(-60)
    const secrets = [canaryHeader, sim.identityHeader, token, federated, sim.githubRequestToken]
    const shown = []
    const show = (v) => shown.push(typeof v === 'string' ? v : `${v}\n${util.inspect(v, { depth: 5, showHidden: true })}`)

    // A wrong identity header: named, never shown.
    const wrong = new ManagedIdentityCredential({ identityEndpoint: sim.identityEndpoint, identityHeader: canaryHeader })
    show(wrong)
    const e1 = await failure(new Client({ credential: wrong, baseUrl: sim.baseUrl }).getPushCertificate())
    assert.match(e1.message, /ManagedIdentityCredential/)
    show(e1)
    const right = new ManagedIdentityCredential({ identityEndpoint: sim.identityEndpoint, identityHeader: sim.identityHeader })
    show(right)
    show(ManagedIdentityCredential.fromEnv({ IDENTITY_ENDPOINT: sim.identityEndpoint, IDENTITY_HEADER: sim.identityHeader }))

    // An expired federated token: the identity platform's reason, not the token.
    const dir = tempDir('wi-canary')
    const file = path.join(dir, 'token')
    fs.writeFileSync(file, federated)
    const wi = new WorkloadIdentityCredential({ tenantId: sim.tenantId, clientId: sim.federatedClientId, tokenFile: file })
    show(wi)
    const e2 = await failure(new Client({ credential: wi, baseUrl: sim.baseUrl, authorityHost: sim.authorityHost }).getPushCertificate())
    assert.equal(e2.code, 'ERR_UNAUTHORIZED')
    assert.match(e2.message, /AADSTS700024/)
    show(e2)
    fs.rmSync(dir, { recursive: true, force: true })

    const gh = new GitHubActionsCredential({
      tenantId: sim.tenantId,
      clientId: sim.federatedClientId,
      requestUrl: sim.githubIdTokenUrl,
      requestToken: sim.githubRequestToken,
    })
    show(gh)

    // A JavaScript credential answering a real token with a bad expiry: the token stays out.
    const badExpiry = { getToken: async () => ({ token, expiresOnTimestamp: 'tomorrow' }) }
    const e3 = await failure(new Client({ credential: badExpiry, baseUrl: sim.baseUrl }).getPushCertificate())
    show(e3)
    const expired = { getToken: async () => ({ token, expiresOnTimestamp: 1000 }) }
    const e4 = await failure(new Client({ credential: expired, baseUrl: sim.baseUrl }).getPushCertificate())
    show(e4)

    const clientWithSecret = new Client({ credential: right, baseUrl: sim.baseUrl })
    show(clientWithSecret)
    const text = shown.join('\n')
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret was shown:\n${text}`)
    assert.ok(!text.includes('eyJ'), 'no JWT shown')
  }))
