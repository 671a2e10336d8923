// Token exchange (RFC 8693) with openid-client's genericGrantRequest: ada's token, from a code
// flow, is exchanged by a back-end service for one it uses for her (delegation: an act claim),
// within the tenant's policy; a target the policy does not name is invalid_target.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { Browser, api, claims, discover, env } from '../lib/platform.mjs'

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token'

async function adasToken() {
  const app = await discover(env.appId, env.appSecret)
  const verifier = client.randomPKCECodeVerifier()
  const url = client.buildAuthorizationUrl(app, {
    redirect_uri: env.redirect,
    scope: 'products:read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  })
  const callback = await new Browser().approve(url)
  const tokens = await client.authorizationCodeGrant(app, callback, { pkceCodeVerifier: verifier })
  return tokens.access_token
}

test('a service exchanges a user token for one it uses on her behalf', async () => {
  const userToken = await adasToken()
  const service = await discover(env.exchangerId, env.exchangerSecret)
  const exchanged = await client.genericGrantRequest(service, GRANT, {
    subject_token: userToken,
    subject_token_type: ACCESS_TOKEN,
    resource: api,
  })
  assert.equal(exchanged.issued_token_type, ACCESS_TOKEN)
  const issued = claims(exchanged.access_token)
  assert.equal(issued.sub, claims(userToken).sub)
  assert.deepEqual(issued.act, { sub: env.exchangerId })
  const products = await client.fetchProtectedResource(service, exchanged.access_token, new URL(`${api}/products`), 'GET')
  assert.equal(products.status, 200)

  await assert.rejects(
    client.genericGrantRequest(service, GRANT, {
      subject_token: userToken,
      subject_token_type: ACCESS_TOKEN,
      audience: `${env.base}/t/${env.tenant}/admin/v1`,
    }),
    (err) => err instanceof client.ResponseBodyError && err.error === 'invalid_target',
  )
})
