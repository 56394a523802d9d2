#!/usr/bin/env node
// Writes the Postman collection (v2.1) and its local environment from the
// requests below: postman/chirp.postman_collection.json and
// postman/local.postman_environment.json. The requests live here, as
// readable GraphQL, rather than in the generated JSON; a test checks that
// the committed files are what this script writes.
//
//   node scripts/postman/build.js           write the files
//   node scripts/postman/build.js --check   fail if they are stale

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const folder = resolve(root, 'postman');
const AVATAR_FILE = 'avatar.png';
const avatarBytes = readFileSync(resolve(folder, AVATAR_FILE)).length;

/** Script lines shared by every GraphQL request's tests. */
const PARSE = ['const body = pm.response.json();'];
const ok = (/** @type {string} */ field) => [
  ...PARSE,
  `pm.test('answers 200 with ${field} and no errors', () => {`,
  '  pm.response.to.have.status(200);',
  '  pm.expect(body.errors, JSON.stringify(body.errors)).to.be.undefined;',
  `  pm.expect(body.data.${field}).to.exist;`,
  '});',
];
const refused = (/** @type {string} */ code, /** @type {string} */ field = '') => [
  ...PARSE,
  `pm.test('is refused with ${code}${field ? ` on ${field}` : ''}, in words a person understands', () => {`,
  '  const [error] = body.errors;',
  `  pm.expect(error.extensions.code).to.equal('${code}');`,
  ...(field ? [`  pm.expect(error.extensions.field).to.equal('${field}');`] : []),
  '  pm.expect(error.message).to.be.a(\'string\').and.not.empty;',
  '});',
];
/** Asks again (up to 20 times, 250 ms apart) until `condition` holds: for effects that travel through events. */
const until = (/** @type {string} */ condition, /** @type {string} */ what) => [
  `const settled = ${condition};`,
  "const attempts = Number(pm.collectionVariables.get('attempts') || 0);",
  'if (!settled && attempts < 20) {',
  "  pm.collectionVariables.set('attempts', attempts + 1);",
  '  postman.setNextRequest(pm.info.requestName);',
  '  setTimeout(() => {}, 250);',
  '} else {',
  "  pm.collectionVariables.set('attempts', 0);",
  `  pm.test(${JSON.stringify(what)}, () => pm.expect(settled).to.be.true);`,
  '}',
];

/**
 * A GraphQL request.
 * @param {string} name
 * @param {{ as?: 'ada' | 'bob' | 'oldBobToken', query: string, variables?: object | string, tests: string[], description?: string }} spec
 *   variables: an object, or the JSON text itself (where a variable must stand unquoted, as a number)
 */
function graphql(name, { as, query, variables = {}, tests, description }) {
  return {
    name,
    ...(description ? { description } : {}),
    request: {
      method: 'POST',
      header: [
        { key: 'Content-Type', value: 'application/json' },
        ...(as ? [{ key: 'Authorization', value: `Bearer {{${as === 'oldBobToken' ? 'oldBobToken' : `${as}Token`}}}` }] : []),
      ],
      body: { mode: 'graphql', graphql: { query, variables: typeof variables === 'string' ? variables : JSON.stringify(variables, null, 2) } },
      url: { raw: '{{baseUrl}}/graphql', host: ['{{baseUrl}}'], path: ['graphql'] },
    },
    event: [{ listen: 'test', script: { type: 'text/javascript', exec: tests } }],
  };
}

const accounts = [
  graphql('Sign up Ada', {
    query: 'mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) { token user { id handle displayName } }\n}',
    variables: { input: { handle: 'a{{runId}}', email: 'a{{runId}}@example.com', password: 'password123', firstName: 'Ada', lastName: 'Lovelace' } },
    tests: [...ok('signUp'), "pm.collectionVariables.set('adaToken', body.data.signUp.token);", "pm.collectionVariables.set('adaId', body.data.signUp.user.id);",
      "pm.test('names her', () => pm.expect(body.data.signUp.user.displayName).to.equal('Ada Lovelace'));"],
  }),
  graphql('Sign up Bob', {
    query: 'mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) { token user { id handle } }\n}',
    variables: { input: { handle: 'b{{runId}}', email: 'b{{runId}}@example.com', password: 'password123', firstName: 'Bob', lastName: 'Builder' } },
    tests: [...ok('signUp'), "pm.collectionVariables.set('bobToken', body.data.signUp.token);", "pm.collectionVariables.set('bobId', body.data.signUp.user.id);"],
  }),
  graphql('Log in', {
    query: 'mutation LogIn($input: LogInInput!) {\n  logIn(input: $input) { token user { id } }\n}',
    variables: { input: { email: 'a{{runId}}@example.com', password: 'password123' } },
    tests: [...ok('logIn'), "pm.test('is Ada', () => pm.expect(body.data.logIn.user.id).to.equal(pm.collectionVariables.get('adaId')));"],
  }),
  graphql('Me', {
    as: 'ada',
    query: '{ me { id handle email displayName followersCount followingCount } }',
    tests: [...ok('me'), "pm.test('is Ada, with her email (only she sees it)', () => pm.expect(body.data.me.email).to.equal(`a${pm.collectionVariables.get('runId')}@example.com`));"],
  }),
  graphql('Me, without a token', {
    query: '{ me { id } }',
    tests: [...PARSE, "pm.test('is null', () => pm.expect(body.data.me).to.be.null);"],
  }),
  graphql('Sign up with a taken handle (error)', {
    query: 'mutation SignUp($input: SignUpInput!) {\n  signUp(input: $input) { token }\n}',
    variables: { input: { handle: 'A{{runId}}', email: 'other{{runId}}@example.com', password: 'password123', firstName: 'A', lastName: 'B' } },
    tests: refused('CONFLICT', 'handle'),
  }),
  graphql('Log in with a wrong password (error)', {
    query: 'mutation LogIn($input: LogInInput!) {\n  logIn(input: $input) { token }\n}',
    variables: { input: { email: 'a{{runId}}@example.com', password: 'wrong-password' } },
    tests: refused('UNAUTHENTICATED'),
  }),
];

const profiles = [
  graphql('Update profile', {
    as: 'ada',
    query: 'mutation Update($input: UpdateProfileInput!) {\n  updateProfile(input: $input) { id bio website location }\n}',
    variables: { input: { bio: 'First programmer.', website: 'https://ada.example', location: 'London' } },
    tests: [...ok('updateProfile'), "pm.test('keeps the bio', () => pm.expect(body.data.updateProfile.bio).to.equal('First programmer.'));"],
  }),
  graphql('Update profile with a bad website (error)', {
    as: 'ada',
    query: 'mutation Update($input: UpdateProfileInput!) {\n  updateProfile(input: $input) { id }\n}',
    variables: { input: { website: 'javascript:alert(1)' } },
    tests: refused('BAD_USER_INPUT', 'website'),
  }),
  graphql('Bob follows Ada', {
    as: 'bob',
    query: 'mutation Follow($id: ID!) {\n  follow(userId: $id) { id followersCount followedByViewer }\n}',
    variables: { id: '{{adaId}}' },
    tests: [...ok('follow'), "pm.test('follows her', () => pm.expect(body.data.follow).to.include({ followersCount: 1, followedByViewer: true }));"],
  }),
  graphql('Follow yourself (error)', {
    as: 'ada',
    query: 'mutation Follow($id: ID!) {\n  follow(userId: $id) { id }\n}',
    variables: { id: '{{adaId}}' },
    tests: refused('BAD_USER_INPUT'),
  }),
  graphql('A profile, with followers', {
    as: 'bob',
    query: 'query Profile($handle: String!) {\n  user(handle: $handle) {\n    id handle bio followersCount followingCount followedByViewer\n    followers(first: 10) { edges { node { handle } } pageInfo { hasNextPage endCursor } }\n  }\n}',
    variables: { handle: 'a{{runId}}' },
    tests: [...ok('user'), "pm.test('lists Bob among her followers', () => pm.expect(body.data.user.followers.edges.map((e) => e.node.handle)).to.include(`b${pm.collectionVariables.get('runId')}`));"],
  }),
];

const tweets = [
  graphql('Post a tweet', {
    as: 'ada',
    query: 'mutation Post($text: String!) {\n  postTweet(text: $text) { id text createdAt likeCount author { handle } }\n}',
    variables: { text: 'Hello from the Analytical Engine #chirp' },
    tests: [...ok('postTweet'), "pm.collectionVariables.set('tweetId', body.data.postTweet.id);", "pm.test('starts with no likes', () => pm.expect(body.data.postTweet.likeCount).to.equal(0));"],
  }),
  graphql('Post an empty tweet (error)', {
    as: 'ada',
    query: 'mutation Post($text: String!) {\n  postTweet(text: $text) { id }\n}',
    variables: { text: '   ' },
    tests: refused('BAD_USER_INPUT', 'text'),
  }),
  graphql('Edit the tweet', {
    as: 'ada',
    query: 'mutation Edit($id: ID!, $text: String!) {\n  editTweet(id: $id, text: $text) { id text editedAt }\n}',
    variables: { id: '{{tweetId}}', text: 'Hello from the Analytical Engine, edited' },
    tests: [...ok('editTweet'), "pm.test('is edited', () => pm.expect(body.data.editTweet.editedAt).to.be.a('string'));"],
  }),
  graphql("Edit someone else's tweet (error)", {
    as: 'bob',
    query: 'mutation Edit($id: ID!, $text: String!) {\n  editTweet(id: $id, text: $text) { id }\n}',
    variables: { id: '{{tweetId}}', text: 'not mine' },
    tests: refused('FORBIDDEN'),
  }),
  graphql('Bob likes it', {
    as: 'bob',
    query: 'mutation Like($id: ID!) {\n  likeTweet(id: $id) { id likeCount likedByViewer }\n}',
    variables: { id: '{{tweetId}}' },
    tests: [...ok('likeTweet'), "pm.test('counts the like', () => pm.expect(body.data.likeTweet).to.include({ likeCount: 1, likedByViewer: true }));"],
  }),
  graphql('A tweet', {
    as: 'bob',
    query: 'query Tweet($id: ID!) {\n  tweet(id: $id) { id text likeCount likedByViewer author { handle displayName } }\n}',
    variables: { id: '{{tweetId}}' },
    tests: [...ok('tweet'), "pm.test('shows the like', () => pm.expect(body.data.tweet.likeCount).to.equal(1));"],
  }),
];

const timeline = [
  graphql("Bob's home timeline", {
    as: 'bob',
    query: 'query Home($after: String) {\n  homeTimeline(first: 20, after: $after) {\n    edges { node { id text createdAt likeCount likedByViewer author { handle displayName avatarUrl } } }\n    pageInfo { hasNextPage endCursor }\n  }\n}',
    variables: {},
    description: 'The viewer\'s tweets and those of everyone they follow, newest first. The fan-out travels through events, so a new tweet shows within moments: this request asks again until it does.',
    tests: [...PARSE, "const edges = body.data ? body.data.homeTimeline.edges : [];",
      ...until("edges.some((e) => e.node.id === pm.collectionVariables.get('tweetId') && e.node.likedByViewer)", "shows Ada's tweet, liked by Bob")],
  }),
  graphql('Home timeline with first: 0 (error)', {
    as: 'bob',
    query: '{ homeTimeline(first: 0) { edges { node { id } } } }',
    tests: refused('BAD_USER_INPUT', 'first'),
  }),
  graphql('Home timeline without a token (error)', {
    query: '{ homeTimeline { edges { node { id } } } }',
    tests: refused('UNAUTHENTICATED'),
  }),
];

const notifications = [
  graphql("Ada's unread notifications", {
    as: 'ada',
    query: '{ unreadNotificationCount }',
    tests: [...PARSE, 'const count = body.data ? body.data.unreadNotificationCount : 0;', ...until('count >= 2', 'counts the follow and the like')],
  }),
  graphql("Ada's notifications", {
    as: 'ada',
    query: '{\n  notifications(first: 10) {\n    edges { node { id kind read createdAt actor { handle } tweet { id } } }\n    pageInfo { hasNextPage endCursor }\n  }\n}',
    tests: [...ok('notifications'), "pm.test('has a FOLLOW and a LIKE by Bob', () => {", '  const kinds = body.data.notifications.edges.map((e) => e.node.kind);', "  pm.expect(kinds).to.include.members(['FOLLOW', 'LIKE']);", '});'],
  }),
  graphql('Mark notifications read', {
    as: 'ada',
    query: 'mutation { markNotificationsRead }',
    tests: [...ok('markNotificationsRead'), "pm.test('marks both', () => pm.expect(body.data.markNotificationsRead).to.be.at.least(2));"],
  }),
];

const pictures = [
  graphql('Create an avatar upload', {
    as: 'ada',
    query: 'mutation Upload($size: Int!) {\n  createMediaUpload(kind: AVATAR, contentType: "image/png", byteSize: $size) { id url fields { name value } maxBytes expiresAt }\n}',
    variables: '{\n  "size": {{avatarBytes}}\n}',
    description: 'A presigned upload: post the file to url as multipart/form-data, every field first, then the file as "file". This collection posts the embedded default\'s form (key, Content-Type, policy, signature); S3\'s form has other fields, passed on the same way.',
    tests: [...ok('createMediaUpload'), 'const upload = body.data.createMediaUpload;', "pm.collectionVariables.set('uploadId', upload.id);", "pm.collectionVariables.set('uploadUrl', upload.url);",
      "for (const field of upload.fields) pm.collectionVariables.set(`uploadField_${field.name}`, field.value);"],
  }),
  {
    name: 'Post the file with the upload form',
    request: {
      method: 'POST',
      header: [],
      body: {
        mode: 'formdata',
        formdata: [
          ...['key', 'Content-Type', 'policy', 'signature'].map((name) => ({ key: name, value: `{{uploadField_${name}}}`, type: 'text' })),
          { key: 'file', type: 'file', src: AVATAR_FILE },
        ],
      },
      url: { raw: '{{uploadUrl}}', host: ['{{uploadUrl}}'] },
    },
    event: [{ listen: 'test', script: { type: 'text/javascript', exec: ["pm.test('is stored', () => pm.expect(pm.response.code).to.be.oneOf([200, 201, 204]));"] } }],
  },
  graphql('Set the avatar', {
    as: 'ada',
    query: 'mutation Set($id: ID!) {\n  setAvatar(uploadId: $id) { id avatarUrl small: avatarUrl(size: 48) }\n}',
    variables: { id: '{{uploadId}}' },
    tests: [...ok('setAvatar'), "pm.collectionVariables.set('avatarUrl', body.data.setAvatar.avatarUrl);", "pm.test('has sizes', () => pm.expect(body.data.setAvatar.small).to.be.a('string'));"],
  }),
  {
    name: 'Fetch the avatar',
    request: { method: 'GET', header: [], url: { raw: '{{avatarUrl}}', host: ['{{avatarUrl}}'] } },
    event: [{ listen: 'test', script: { type: 'text/javascript', exec: [
      "pm.test('is a WebP image, cacheable for a year', () => {",
      '  pm.response.to.have.status(200);',
      "  pm.expect(pm.response.headers.get('Content-Type')).to.equal('image/webp');",
      "  pm.expect(pm.response.headers.get('Cache-Control')).to.include('immutable');",
      '});',
    ] } }],
  },
  graphql('Set the avatar again with the same upload (error)', {
    as: 'ada',
    query: 'mutation Set($id: ID!) {\n  setAvatar(uploadId: $id) { id }\n}',
    variables: { id: '{{uploadId}}' },
    tests: refused('BAD_USER_INPUT', 'uploadId'),
  }),
  graphql('Remove the avatar', {
    as: 'ada',
    query: 'mutation { removeAvatar { id avatarUrl } }',
    tests: [...ok('removeAvatar'), "pm.test('is gone', () => pm.expect(body.data.removeAvatar.avatarUrl).to.be.null);"],
  }),
];

const endings = [
  graphql('Bob unlikes it', {
    as: 'bob',
    query: 'mutation Unlike($id: ID!) {\n  unlikeTweet(id: $id) { id likeCount likedByViewer }\n}',
    variables: { id: '{{tweetId}}' },
    tests: [...ok('unlikeTweet'), "pm.test('takes the like back', () => pm.expect(body.data.unlikeTweet).to.include({ likeCount: 0, likedByViewer: false }));"],
  }),
  graphql('Delete the tweet', {
    as: 'ada',
    query: 'mutation Delete($id: ID!) {\n  deleteTweet(id: $id)\n}',
    variables: { id: '{{tweetId}}' },
    tests: [...ok('deleteTweet'), "pm.test('returns its id', () => pm.expect(body.data.deleteTweet).to.equal(pm.collectionVariables.get('tweetId')));"],
  }),
  graphql('The deleted tweet', {
    as: 'bob',
    query: 'query Tweet($id: ID!) {\n  tweet(id: $id) { id }\n}',
    variables: { id: '{{tweetId}}' },
    tests: [...PARSE, "pm.test('is gone', () => pm.expect(body.data.tweet).to.be.null);"],
  }),
  graphql('Bob unfollows Ada', {
    as: 'bob',
    query: 'mutation Unfollow($id: ID!) {\n  unfollow(userId: $id) { id followersCount followedByViewer }\n}',
    variables: { id: '{{adaId}}' },
    tests: [...ok('unfollow'), "pm.test('no longer follows her', () => pm.expect(body.data.unfollow.followedByViewer).to.be.false);"],
  }),
  graphql('Log out everywhere', {
    as: 'bob',
    query: 'mutation { logOutEverywhere }',
    tests: [...ok('logOutEverywhere'), "pm.collectionVariables.set('oldBobToken', pm.collectionVariables.get('bobToken'));"],
  }),
  graphql('A revoked token (error)', {
    as: 'oldBobToken',
    query: '{ me { id } }',
    tests: refused('UNAUTHENTICATED'),
  }),
];

const SUBSCRIPTIONS = `Live updates are GraphQL subscriptions over a WebSocket at the same URL (ws://localhost:4000/graphql), protocol graphql-transport-ws: send {"type":"connection_init","payload":{"authorization":"Bearer <token>"}}, then {"id":"1","type":"subscribe","payload":{"query":"subscription { homeTimelineTweetAdded { id text author { handle } } }"}}. The other is \`subscription { notificationAdded { id kind actor { handle } } }\`. Postman's WebSocket requests can hold one; collections (v2.1) and newman cannot, so none is here.`;

const collection = {
  info: {
    _postman_id: '6c3b1f1e-2c55-4a8e-9b1d-5c1f2a6e7d10',
    name: 'Chirp',
    description: `Every query and mutation of the Chirp supergraph, in the order a front end meets them, with the errors it must handle. Requests chain variables (sign up → token → post → like → notifications) and assert every answer. Run it against the embedded default (\`npm start\`) with the environment beside it, or with newman: \`npx newman run postman/chirp.postman_collection.json -e postman/local.postman_environment.json --working-dir postman\`.\n\n${SUBSCRIPTIONS}`,
    schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
  },
  event: [{
    listen: 'prerequest',
    script: { type: 'text/javascript', exec: [
      '// A run of its own: handles and emails no other run has used.',
      "if (!pm.collectionVariables.get('runId')) pm.collectionVariables.set('runId', Date.now().toString(36).slice(-8));",
    ] },
  }],
  variable: [{ key: 'runId', value: '' }, { key: 'avatarBytes', value: String(avatarBytes) }, { key: 'attempts', value: '0' }],
  item: [
    { name: 'Accounts', item: accounts },
    { name: 'Profiles and follows', item: profiles },
    { name: 'Tweets and likes', item: tweets },
    { name: 'Home timeline', item: timeline },
    { name: 'Notifications', item: notifications },
    { name: 'Pictures', item: pictures },
    { name: 'Undo and log out', item: endings },
  ],
};

const environment = {
  id: '0e7a2b9c-4d1f-4b6e-8a3c-2f5d6e7a8b90',
  name: 'Chirp, local (npm start)',
  values: [{ key: 'baseUrl', value: 'http://localhost:4000', type: 'default', enabled: true }],
  _postman_variable_scope: 'environment',
};

const files = {
  'chirp.postman_collection.json': `${JSON.stringify(collection, null, 2)}\n`,
  'local.postman_environment.json': `${JSON.stringify(environment, null, 2)}\n`,
};
const check = process.argv.includes('--check');
let stale = 0;
for (const [name, text] of Object.entries(files)) {
  const path = resolve(folder, name);
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      stale += 1;
      process.stderr.write(`postman/${name} is stale: run node scripts/postman/build.js\n`);
    }
  } else {
    writeFileSync(path, text);
    process.stdout.write(`wrote postman/${name}\n`);
  }
}
process.exit(stale > 0 ? 1 : 0);
