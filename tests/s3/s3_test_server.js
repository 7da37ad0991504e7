// An S3-compatible server on loopback for thumbgen's storage tests: @20minutes/s3rver, which verifies SigV4
// signatures (a wrong secret gets SignatureDoesNotMatch). It ships no CLI, so it starts here through its API.
// Usage: node s3_test_server.js DIRECTORY PORT BUCKET ACCESS_KEY_ID SECRET_ACCESS_KEY
// Prints "listening PORT" once it answers (PORT 0: any free port); objects live in DIRECTORY, so a restart on the
// same directory keeps them. SIGTERM stops it. Run with --openssl-legacy-provider: s3rver encrypts its continuation
// tokens with DES. S3RVER_VERBOSE=1 logs every request and error.
'use strict'
const S3rver = require('@20minutes/s3rver')
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account')

const [directory, port, bucket, accessKeyId, secretAccessKey] = process.argv.slice(2)
DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey)
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: !process.env.S3RVER_VERBOSE,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket }],
})
server.run().then(
  (address) => console.log(`listening ${address.port}`),
  (error) => {
    console.error(`s3rver: ${error.message}`)
    process.exit(1)
  },
)
process.on('SIGTERM', () => process.exit(0))
