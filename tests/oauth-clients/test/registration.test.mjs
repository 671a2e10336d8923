// Dynamic client registration (RFC 7591) with openid-client, as an MCP client does it: its
// dynamicClientRegistration discovers the registration endpoint and registers a public client;
// ada signs in to it (buildAuthorizationUrl, authorizationCodeGrant with PKCE), and the API
// takes its token. The tenant's policy narrows what the client asked for.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { Browser, api, claims, env, issuer } from '../lib/platform.mjs'

test('an agent registers itself and signs a person in', async () => {
  const agent = await client.dynamicClientRegistration(
    issuer,
    {
      client_name: 'An MCP client',
      redirect_uris: [env.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid products:read products:write',
    },
    client.None(),
    { execute: [client.allowInsecureRequests] },
  )
  const registered = agent.clientMetadata()
  assert.equal(registered.scope, 'openid products:read', 'narrowed to the tenant policy')
  assert.ok(registered.registration_access_token)
  assert.equal(registered.client_secret, undefined)

  const verifier = client.randomPKCECodeVerifier()
  const url = client.buildAuthorizationUrl(agent, {
    redirect_uri: env.redirect,
    scope: 'products:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    resource: api,
  })
  const callback = await new Browser().approve(url)
  const tokens = await client.authorizationCodeGrant(agent, callback, { pkceCodeVerifier: verifier })
  assert.equal(claims(tokens.access_token).client_id, registered.client_id)
  const products = await client.fetchProtectedResource(agent, tokens.access_token, new URL(`${api}/products`), 'GET')
  assert.equal(products.status, 200)

  // RFC 7592: the registration reads back with its access token.
  const read = await fetch(registered.registration_client_uri, {
    headers: { authorization: `Bearer ${registered.registration_access_token}` },
  })
  assert.equal(read.status, 200)
  assert.equal((await read.json()).client_id, registered.client_id)
})

test('metadata the policy does not allow is refused with invalid_client_metadata', async () => {
  await assert.rejects(
    client.dynamicClientRegistration(
      issuer,
      { redirect_uris: [env.redirect], grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' },
      undefined,
      { execute: [client.allowInsecureRequests] },
    ),
    (err) => err instanceof client.ResponseBodyError && err.error === 'invalid_client_metadata',
  )
})
