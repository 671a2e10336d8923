// DPoP (RFC 9449) with openid-client: a DPoP handle (getDPoPHandle) makes the proofs, learns the
// platform's nonces (use_dpop_nonce, then DPoP-Nonce) and retries on its own; the tokens it gets
// are bound to its key, which the gateway and UserInfo then ask for. A registered agent that
// declares dpop_bound_access_tokens gets nothing without a proof, and its refresh token is bound
// to its key.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { Browser, api, claims, discover, env, issuer } from '../lib/platform.mjs'

const products = new URL(`${api}/products`)

test('a service gets a DPoP-bound token and calls the API with proofs of its key', async () => {
  const service = await discover(env.clientId, env.clientSecret)
  assert.ok(service.serverMetadata().dpop_signing_alg_values_supported.includes('ES256'))
  const DPoP = client.getDPoPHandle(service, await client.randomDPoPKeyPair('ES256'))
  const tokens = await client.clientCredentialsGrant(service, { scope: 'products:read' }, { DPoP })
  assert.equal(tokens.token_type, 'dpop')
  assert.ok(claims(tokens.access_token).cnf.jkt)

  const response = await client.fetchProtectedResource(service, tokens.access_token, products, 'GET', undefined, undefined, { DPoP })
  assert.equal(response.status, 200)

  // Another key's proofs do not open the API with this token, nor does the token alone.
  const thief = client.getDPoPHandle(service, await client.randomDPoPKeyPair('ES256'))
  await assert.rejects(
    client.fetchProtectedResource(service, tokens.access_token, products, 'GET', undefined, undefined, { DPoP: thief }),
    (err) => err instanceof client.WWWAuthenticateChallengeError && err.cause.some((c) => c.scheme === 'dpop' && c.parameters.error === 'invalid_dpop_proof'),
  )
  await assert.rejects(
    client.fetchProtectedResource(service, tokens.access_token, products, 'GET'),
    (err) => err instanceof client.WWWAuthenticateChallengeError && err.cause.some((c) => c.scheme === 'dpop'),
  )
})

test('an agent that requires DPoP pushes its request with a proof; its code and refresh token are bound to its key', async () => {
  const agent = await client.dynamicClientRegistration(
    issuer,
    {
      client_name: 'A DPoP agent',
      redirect_uris: [env.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid products:read offline_access',
      dpop_bound_access_tokens: true,
    },
    client.None(),
    { execute: [client.allowInsecureRequests] },
  )
  assert.equal(agent.clientMetadata().dpop_bound_access_tokens, true)
  const DPoP = client.getDPoPHandle(agent, await client.randomDPoPKeyPair('ES256'))
  // The request is pushed with a proof, which binds the code to the key (RFC 9449 §10.1).
  const signIn = async () => {
    const verifier = client.randomPKCECodeVerifier()
    const parameters = {
      redirect_uri: env.redirect,
      scope: 'openid products:read offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }
    const url = await client.buildAuthorizationUrlWithPAR(agent, parameters, { DPoP })
    const callback = await new Browser().approve(url)
    return (options) => client.authorizationCodeGrant(agent, callback, { pkceCodeVerifier: verifier }, undefined, options)
  }
  const redeem = await signIn()
  // Without a proof (the client requires one), or with another key's, the code gives nothing.
  await assert.rejects(redeem(), (err) => err instanceof client.ResponseBodyError && err.error === 'invalid_dpop_proof')
  const thief = client.getDPoPHandle(agent, await client.randomDPoPKeyPair('ES256'))
  await assert.rejects(
    redeem({ DPoP: thief }),
    (err) => err instanceof client.ResponseBodyError && err.error === 'invalid_dpop_proof' && /dpop_jkt/.test(err.error_description),
  )

  const tokens = await redeem({ DPoP })
  assert.equal(tokens.token_type, 'dpop')
  const sub = tokens.claims().sub
  const info = await client.fetchUserInfo(agent, tokens.access_token, sub, { DPoP })
  assert.equal(info.sub, sub)

  await assert.rejects(
    client.refreshTokenGrant(agent, tokens.refresh_token, undefined, { DPoP: thief }),
    (err) => err instanceof client.ResponseBodyError && err.error === 'invalid_dpop_proof',
  )
  const refreshed = await client.refreshTokenGrant(agent, tokens.refresh_token, undefined, { DPoP })
  assert.equal(claims(refreshed.access_token).cnf.jkt, claims(tokens.access_token).cnf.jkt)
  const response = await client.fetchProtectedResource(agent, refreshed.access_token, products, 'GET', undefined, undefined, { DPoP })
  assert.equal(response.status, 200)
})
