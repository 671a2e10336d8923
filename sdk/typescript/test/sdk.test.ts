// The generated TypeScript SDK used as an app developer would: a token, products (create, list
// by cursor, a conditional update, delete), a customer's order, and problems as typed values.
//
// `scripts/sdk.sh test typescript` compiles this with tsc and runs it with `node --test`;
// tests/api/sdk.rs starts a platform, creates a tenant and a client, and sets
// GATEHOUSE_SDK_BASE_URL, GATEHOUSE_SDK_TENANT, GATEHOUSE_SDK_CLIENT_ID and
// GATEHOUSE_SDK_CLIENT_SECRET (a client_credentials client, client_secret_basic, with SCOPES).
// A missing variable fails the tests: they never skip.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';

import { postTByTenantOauth2Token, type TokenBody } from '@gatehouse/sdk/auth';
import {
  createClient as createAuthClient,
  createConfig as createAuthConfig,
} from '@gatehouse/sdk/auth/client';
import {
  createCustomer,
  createOrder,
  createProduct,
  deleteProduct,
  getOrder,
  getProduct,
  listProducts,
  replaceProduct,
  type FieldError,
  type Problem,
  type Product,
  type ProductInput,
} from '@gatehouse/sdk/resources';
import { createClient, createConfig, type Client } from '@gatehouse/sdk/resources/client';

const SCOPES =
  'products:read products:write customers:read customers:write orders:read orders:write';
const VALIDATION = 'urn:gatehouse:problem:validation';
const CONFLICT = 'urn:gatehouse:problem:conflict';
const INSUFFICIENT_STOCK = 'urn:gatehouse:problem:insufficient-stock';
const PRECONDITION_FAILED = 'urn:gatehouse:problem:precondition-failed';
const NOT_FOUND = 'urn:gatehouse:problem:not-found';

type Settings = { baseUrl: string; tenant: string; clientId: string; clientSecret: string };

function readSettings(): Settings {
  const names = [
    'GATEHOUSE_SDK_BASE_URL',
    'GATEHOUSE_SDK_TENANT',
    'GATEHOUSE_SDK_CLIENT_ID',
    'GATEHOUSE_SDK_CLIENT_SECRET',
  ];
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `set ${missing.join(', ')}: these tests run against a platform ` +
        '(tests/api/sdk.rs starts one and runs `scripts/sdk.sh test typescript`)',
    );
  }
  const [baseUrl, tenant, clientId, clientSecret] = names.map((name) => process.env[name]!);
  return { baseUrl, tenant, clientId, clientSecret };
}

/** The token operation of the auth document: client_credentials with HTTP Basic. */
async function fetchToken(settings: Settings): Promise<TokenBody> {
  const auth = createAuthClient(createAuthConfig({ baseUrl: settings.baseUrl }));
  const basic = Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64');
  const { data, error, response } = await postTByTenantOauth2Token({
    client: auth,
    path: { tenant: settings.tenant },
    body: { grant_type: 'client_credentials', scope: SCOPES },
    headers: { Authorization: `Basic ${basic}` },
  });
  assert.equal(response.status, 200, `a token: ${JSON.stringify(error)}`);
  assert.ok(data);
  return data;
}

let settings: Settings;
let tenant: string;
let issued: TokenBody;
let api: Client;

before(async () => {
  settings = readSettings();
  tenant = settings.tenant;
  issued = await fetchToken(settings);
  // The resource API's client: its operations send the token as a bearer token.
  api = createClient(createConfig({ baseUrl: settings.baseUrl, auth: () => issued.access_token }));
});

/** A prefix no other test's products share (SKUs are unique in the tenant). */
function unique(): string {
  return `T${randomUUID().replaceAll('-', '').slice(0, 12).toUpperCase()}`;
}

async function newProduct(name: string, sku: string, stock = 0): Promise<Product> {
  const { data, error, response } = await createProduct({
    client: api,
    path: { tenant },
    body: { name, sku, stock, price: { amount: 1999, currency: 'EUR' } },
  });
  assert.equal(response.status, 201, JSON.stringify(error));
  assert.ok(data);
  return data;
}

/** The problem of a failed call: typed by the operation's error responses. */
function problemOf(error: Problem | undefined, response: Response, status: number): Problem {
  assert.equal(response.status, status, JSON.stringify(error));
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  assert.ok(error);
  assert.equal(error.status, status);
  return error;
}

/** `errors` as a list (absent when the problem names no field). */
function fieldErrors(problem: Problem): FieldError[] {
  return problem.errors ?? [];
}

test('a token from the auth SDK', () => {
  assert.equal(issued.token_type, 'Bearer');
  assert.ok(issued.expires_in > 0);
  assert.deepEqual(new Set(issued.scope.split(' ')), new Set(SCOPES.split(' ')));
});

test('create, get, replace with If-Match, delete', async () => {
  const prefix = unique();
  const created = await newProduct('Espresso cup', `${prefix}-CUP`, 5);
  assert.equal(created.name, 'Espresso cup');
  assert.deepEqual(created.price, { amount: 1999, currency: 'EUR' });
  assert.equal(created.description, '');

  const read = await getProduct({ client: api, path: { tenant, id: created.id } });
  assert.equal(read.response.status, 200);
  assert.equal(read.data?.id, created.id);
  const etag = read.response.headers.get('etag');
  assert.ok(etag, 'an ETag');

  const change: ProductInput = {
    name: 'Espresso cup, blue',
    sku: `${prefix}-CUP`,
    stock: 7,
    description: 'Porcelain, 90 ml.',
    price: { amount: 2499, currency: 'EUR' },
  };
  const replaced = await replaceProduct({
    client: api,
    path: { tenant, id: created.id },
    headers: { 'If-Match': etag },
    body: change,
  });
  assert.equal(replaced.response.status, 200, JSON.stringify(replaced.error));
  assert.equal(replaced.data?.name, 'Espresso cup, blue');
  assert.equal(replaced.data?.price.amount, 2499);
  assert.equal(replaced.data?.stock, 7);
  assert.notEqual(replaced.response.headers.get('etag'), etag);

  // The same version again: it is no longer current.
  const stale = await replaceProduct({
    client: api,
    path: { tenant, id: created.id },
    headers: { 'If-Match': etag },
    body: change,
  });
  assert.equal(problemOf(stale.error, stale.response, 412).type, PRECONDITION_FAILED);

  const deleted = await deleteProduct({ client: api, path: { tenant, id: created.id } });
  assert.equal(deleted.response.status, 204);

  const gone = await getProduct({ client: api, path: { tenant, id: created.id } });
  assert.equal(problemOf(gone.error, gone.response, 404).type, NOT_FOUND);
});

test('the list follows the cursor', async () => {
  const prefix = unique();
  const made: Product[] = [];
  for (const i of [0, 1, 2]) {
    made.push(await newProduct(`${prefix} item ${i}`, `${prefix}-${i}`));
  }

  const pages: Product[][] = [];
  let cursor: string | undefined;
  do {
    const { data, error, response } = await listProducts({
      client: api,
      path: { tenant },
      query: { per_page: 2, q: prefix, sort: 'created_at', ...(cursor ? { cursor } : {}) },
    });
    assert.equal(response.status, 200, JSON.stringify(error));
    assert.ok(data);
    pages.push(data.items);
    cursor = data.next_cursor;
    assert.ok(pages.length < 10, 'the cursor ends');
  } while (cursor);

  assert.deepEqual(
    pages.map((page) => page.length),
    [2, 1],
  );
  assert.deepEqual(
    pages.flat().map((product) => product.id),
    made.map((product) => product.id),
  );
});

test('a customer orders a product in stock', async () => {
  const prefix = unique();
  const product = await newProduct('Teapot', `${prefix}-POT`, 10);
  const email = `${prefix.toLowerCase()}@example.com`;
  const customer = await createCustomer({
    client: api,
    path: { tenant },
    body: { name: 'Ada Lovelace', email },
  });
  assert.equal(customer.response.status, 201, JSON.stringify(customer.error));
  assert.ok(customer.data);
  assert.equal(customer.data.email, email);

  const placed = await createOrder({
    client: api,
    path: { tenant },
    body: { customer_id: customer.data.id, lines: [{ product_id: product.id, quantity: 3 }] },
  });
  assert.equal(placed.response.status, 201, JSON.stringify(placed.error));
  const order = placed.data;
  assert.ok(order);
  assert.equal(order.customer_id, customer.data.id);
  assert.equal(order.status, 'pending');
  assert.deepEqual(order.total, { amount: 3 * 1999, currency: 'EUR' });
  assert.deepEqual(
    order.lines.map((line) => [line.product_id, line.quantity, line.sku]),
    [[product.id, 3, `${prefix}-POT`]],
  );

  const again = await getOrder({ client: api, path: { tenant, id: order.id } });
  assert.equal(again.data?.id, order.id);

  const stock = await getProduct({ client: api, path: { tenant, id: product.id } });
  assert.equal(stock.data?.stock, 7);
});

test('a duplicate SKU is a typed 409', async () => {
  const prefix = unique();
  await newProduct('Saucer', `${prefix}-SAU`);
  const { error, response } = await createProduct({
    client: api,
    path: { tenant },
    body: { name: 'Another saucer', sku: `${prefix}-SAU`, price: { amount: 100, currency: 'EUR' } },
  });
  const problem = problemOf(error, response, 409);
  assert.equal(problem.type, CONFLICT);
  assert.ok(problem.title);
  assert.match(problem.detail ?? '', /sku/i);
  assert.deepEqual(fieldErrors(problem), [], 'a conflict names no field');
});

test('an order beyond the stock is a typed 409 naming the line', async () => {
  const prefix = unique();
  const product = await newProduct('Milk jug', `${prefix}-JUG`, 2);
  const customer = await createCustomer({
    client: api,
    path: { tenant },
    body: { name: 'Grace Hopper', email: `${prefix.toLowerCase()}@example.org` },
  });
  assert.ok(customer.data, JSON.stringify(customer.error));

  const { error, response } = await createOrder({
    client: api,
    path: { tenant },
    body: { customer_id: customer.data.id, lines: [{ product_id: product.id, quantity: 3 }] },
  });
  const problem = problemOf(error, response, 409);
  assert.equal(problem.type, INSUFFICIENT_STOCK);
  const errors: FieldError[] = fieldErrors(problem);
  assert.deepEqual(errors, [{ field: 'lines[0].quantity', reason: '3 more wanted, 2 in stock' }]);
});

async function invalidProduct(name: string, sku: string): Promise<FieldError[]> {
  const { error, response } = await createProduct({
    client: api,
    path: { tenant },
    body: { name, sku, price: { amount: 100, currency: 'EUR' } },
  });
  const problem = problemOf(error, response, 400);
  assert.equal(problem.type, VALIDATION);
  return fieldErrors(problem);
}

test('an empty name is a typed 400 naming the field', async () => {
  const errors = await invalidProduct('', `${unique()}-OK`);
  assert.deepEqual(
    errors.map((error) => error.field),
    ['name'],
  );
  assert.ok(errors[0].reason);
});

test('a bad SKU is a typed 400 naming the field', async () => {
  const errors = await invalidProduct('Mug', 'bad sku!');
  assert.deepEqual(
    errors.map((error) => error.field),
    ['sku'],
  );
  assert.ok(errors[0].reason);
});
