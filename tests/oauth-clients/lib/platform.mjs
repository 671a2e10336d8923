// What the tests know of the platform tests/api/oauth_clients.rs started for them, and a person
// (ada) who signs in on its pages the way a browser does: cookies kept, forms posted, no
// redirect followed past the one back to the app.
import assert from 'node:assert/strict'
import * as client from 'openid-client'

export const env = Object.fromEntries(
  Object.entries({
    base: 'GATEHOUSE_BASE_URL',
    tenant: 'GATEHOUSE_TENANT',
    clientId: 'GATEHOUSE_CLIENT_ID',
    clientSecret: 'GATEHOUSE_CLIENT_SECRET',
    appId: 'GATEHOUSE_APP_ID',
    appSecret: 'GATEHOUSE_APP_SECRET',
    redirect: 'GATEHOUSE_APP_REDIRECT',
    deviceId: 'GATEHOUSE_DEVICE_ID',
    exchangerId: 'GATEHOUSE_EXCHANGER_ID',
    exchangerSecret: 'GATEHOUSE_EXCHANGER_SECRET',
    username: 'GATEHOUSE_USERNAME',
    password: 'GATEHOUSE_PASSWORD',
  }).map(([key, name]) => {
    assert.ok(process.env[name], `${name} is not set: run these tests through tests/api/oauth_clients.rs`)
    return [key, process.env[name]]
  }),
)

export const issuer = new URL(`${env.base}/t/${env.tenant}`)
export const api = `${env.base}/t/${env.tenant}/api/v1`

/** openid-client's configuration of a confidential client, discovered from the issuer. */
export async function discover(clientId, secret, metadata = {}) {
  return client.discovery(
    issuer,
    clientId,
    metadata,
    client.ClientSecretBasic(secret),
    // The test platform speaks plain http on loopback.
    { execute: [client.allowInsecureRequests] },
  )
}

/** The claims of a JWT, unverified. */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())
}

/** A person's browser: its cookies, by name. */
export class Browser {
  cookies = new Map()

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers)
    if (this.cookies.size) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair.indexOf('=')
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim())
    }
    return response
  }

  /** Posts a page's form (its hidden request_id and csrf) with `fields`. */
  async post(html, action, fields) {
    const hidden = (name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]
    const form = new URLSearchParams({ request_id: hidden('request_id'), csrf: hidden('csrf'), ...fields })
    return this.fetch(`${issuer}/oauth2/${action}`, { method: 'POST', body: form })
  }

  /**
   * Ada opens the authorization URL, signs in if asked, approves if asked; the URL the platform
   * sends the browser back to.
   */
  async approve(authorizationUrl) {
    const response = await this.answer(authorizationUrl, 'approve')
    assert.equal(response.status, 303, `redirected back from ${authorizationUrl}`)
    return new URL(response.headers.get('location'))
  }

  /** Ada opens `url`, signs in if asked, and answers the consent page with `decision`. */
  async answer(url, decision) {
    let response = await this.fetch(url)
    if (response.status === 200) {
      const html = await response.text()
      assert.match(html, /name="password"/, 'the login page')
      response = await this.post(html, 'login', { username: env.username, password: env.password })
    }
    if (response.status === 200) {
      const html = await response.text()
      assert.match(html, /value="approve"/, 'the consent page')
      response = await this.post(html, 'consent', { decision })
    }
    return response
  }
}
