// RFC 9728 as an agent follows it, with openid-client and oauth4webapi (both by the author of
// node-oidc-provider): a 401 from the API names the resource's metadata, the metadata names the
// authorization server, openid-client discovers that server and gets a token, and the API
// takes the token.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'

import { env } from '../lib/platform.mjs'

const { base, tenant, clientId, clientSecret } = env

// The test platform speaks plain http on loopback.
const insecure = { [oauth.allowInsecureRequests]: true }
const api = new URL(`${base}/t/${tenant}/api/v1`)

test('a refused request leads to the resource metadata, then to a token the API takes', async () => {
  // openid-client reads the 401's challenge (configured here for the API's own origin only to
  // make the request; any issuer would do).
  const anyServer = new client.Configuration(
    { issuer: `${base}/t/${tenant}`, token_endpoint: `${base}/t/${tenant}/oauth2/token` },
    clientId,
    clientSecret,
  )
  client.allowInsecureRequests(anyServer)
  const refusal = await client
    .fetchProtectedResource(anyServer, 'not-a-token', new URL(`${api}/products`), 'GET')
    .then(
      () => assert.fail('a made-up token is refused'),
      (err) => err,
    )
  assert.ok(refusal instanceof client.WWWAuthenticateChallengeError, String(refusal))
  const bearer = refusal.cause.find((challenge) => challenge.scheme === 'bearer')
  assert.equal(bearer.parameters.error, 'invalid_token')
  const metadataUrl = new URL(bearer.parameters.resource_metadata)

  // The metadata at the well-known address RFC 9728 §3.1 derives from the resource, which must
  // be the one the challenge named; oauth4webapi checks that it describes this resource.
  const response = await oauth.resourceDiscoveryRequest(api, insecure)
  assert.equal(response.url, metadataUrl.href)
  const resource = await oauth.processResourceDiscoveryResponse(api, response)
  assert.deepEqual(resource.bearer_methods_supported, ['header'])
  assert.ok(resource.scopes_supported.includes('products:read'))
  assert.equal(resource.authorization_servers.length, 1)

  // The authorization server it names, discovered and used by openid-client.
  const server = await client.discovery(
    new URL(resource.authorization_servers[0]),
    clientId,
    undefined,
    // The method the platform registers clients with by default.
    client.ClientSecretBasic(clientSecret),
    { execute: [client.allowInsecureRequests] },
  )
  assert.equal(server.serverMetadata().issuer, resource.authorization_servers[0])
  const tokens = await client.clientCredentialsGrant(server, { scope: 'products:read' })
  const answer = await client.fetchProtectedResource(
    server,
    tokens.access_token,
    new URL(`${api}/products`),
    'GET',
  )
  assert.equal(answer.status, 200)
})

test('the resource URL form of the metadata is the same document', async () => {
  const wellKnown = await fetch(`${base}/.well-known/oauth-protected-resource/t/${tenant}/api/v1`)
  const ownForm = await fetch(`${api}/.well-known/oauth-protected-resource`)
  assert.equal(ownForm.status, 200)
  assert.deepEqual(await ownForm.json(), await wellKnown.json())
})
