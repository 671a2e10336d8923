// Pushed authorization requests (RFC 9126) and resource indicators (RFC 8707) with openid-client:
// it discovers the PAR endpoint, pushes the request (buildAuthorizationUrlWithPAR), ada signs in
// at the URL it builds, and its authorizationCodeGrant and refreshTokenGrant get tokens for the
// resource named. Its error classes carry the RFC 6749 codes of refusals.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { Browser, api, claims, discover, env } from '../lib/platform.mjs'

test('a pushed request for one resource gives tokens for that resource only', async () => {
  const app = await discover(env.appId, env.appSecret)
  assert.equal(app.serverMetadata().pushed_authorization_request_endpoint, `${env.base}/t/${env.tenant}/oauth2/par`)
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const url = await client.buildAuthorizationUrlWithPAR(app, {
    redirect_uri: env.redirect,
    scope: 'products:read offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    resource: api,
  })
  assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri'])

  const callback = await new Browser().approve(url)
  const tokens = await client.authorizationCodeGrant(app, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  })
  assert.equal(claims(tokens.access_token).aud, api)
  const products = await client.fetchProtectedResource(app, tokens.access_token, new URL(`${api}/products`), 'GET')
  assert.equal(products.status, 200)

  // The refresh token is bound to the same resource: another one is invalid_target.
  await assert.rejects(
    client.refreshTokenGrant(app, tokens.refresh_token, { resource: `${env.base}/t/${env.tenant}/admin/v1` }),
    (err) => err instanceof client.ResponseBodyError && err.error === 'invalid_target',
  )
  const refreshed = await client.refreshTokenGrant(app, tokens.refresh_token)
  assert.equal(claims(refreshed.access_token).aud, api)

  // The request_uri was spent by the first sign-in.
  const again = await new Browser().fetch(url)
  assert.equal(again.status, 400)
})

test('a pushed request the client may not make is refused with its RFC 6749 code', async () => {
  const app = await discover(env.appId, env.appSecret)
  const pkce = {
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  }
  await assert.rejects(
    client.buildAuthorizationUrlWithPAR(app, { ...pkce, redirect_uri: env.redirect, scope: 'platform:admin' }),
    (err) => err instanceof client.ResponseBodyError && err.error === 'invalid_scope',
  )
  await assert.rejects(
    client.buildAuthorizationUrlWithPAR(app, { ...pkce, redirect_uri: 'https://evil.example/cb' }),
    (err) => err instanceof client.ResponseBodyError && err.error === 'invalid_request',
  )
})

test('a client_credentials token for the API resource is refused by the admin API', async () => {
  const service = await discover(env.clientId, env.clientSecret)
  const token = await client.clientCredentialsGrant(service, { scope: 'products:read', resource: api })
  assert.equal(claims(token.access_token).aud, api)
  const admin = new URL(`${env.base}/t/${env.tenant}/admin/v1/clients`)
  await assert.rejects(
    client.fetchProtectedResource(service, token.access_token, admin, 'GET'),
    (err) => err instanceof client.WWWAuthenticateChallengeError && /another resource/.test(err.cause[0].parameters.error_description),
  )
})
