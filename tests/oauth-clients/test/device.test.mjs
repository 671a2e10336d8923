// The device authorization grant (RFC 8628) with openid-client: a TV-like public client calls
// initiateDeviceAuthorization, and its pollDeviceAuthorizationGrant waits (authorization_pending)
// while ada approves the user code on the verification page; a denial rejects the poll with
// access_denied.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { Browser, api, claims, env, issuer } from '../lib/platform.mjs'

async function tv() {
  return client.discovery(issuer, env.deviceId, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  })
}

test('a device gets its tokens once a person approves its code', async () => {
  const config = await tv()
  const device = await client.initiateDeviceAuthorization(config, {
    scope: 'products:read offline_access',
    resource: api,
  })
  assert.match(device.user_code, /^[A-Z]{4}-[A-Z]{4}$/)
  assert.equal(device.verification_uri, `${issuer}/oauth2/device`)

  const polling = client.pollDeviceAuthorizationGrant(config, device)
  const page = await new Browser().answer(device.verification_uri_complete, 'approve')
  assert.equal(page.status, 200)
  assert.match(await page.text(), /Device connected/)
  const tokens = await polling
  assert.equal(claims(tokens.access_token).aud, api)
  assert.ok(tokens.refresh_token)
  const products = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${api}/products`), 'GET')
  assert.equal(products.status, 200)
})

test('a denied device is told access_denied', async () => {
  const config = await tv()
  const device = await client.initiateDeviceAuthorization(config, { scope: 'products:read' })
  const polling = client.pollDeviceAuthorizationGrant(config, device)
  const page = await new Browser().answer(device.verification_uri_complete, 'deny')
  assert.match(await page.text(), /Device refused/)
  await assert.rejects(polling, (err) => err instanceof client.ResponseBodyError && err.error === 'access_denied')
})
