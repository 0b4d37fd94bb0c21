// The peer of the load benchmark: what a team writes in an afternoon instead of parley. One
// route, the JustAnswer token checked, the body forwarded to Kafka with acks=-1 (all in-sync
// replicas), the answer sent only after Kafka acknowledged -- the same promise parley makes,
// without verification beyond the token, normalization or limits.
//   node relay.js BROKERS PORT
'use strict';
const fastify = require('fastify')({ logger: false });
const { Kafka, logLevel } = require('kafkajs');

const [brokers, port] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'relay', brokers: brokers.split(','), logLevel: logLevel.ERROR });
const producer = kafka.producer({ allowAutoTopicCreation: false });

fastify.post('/v1/webhooks/justanswer', async (request, reply) => {
  if (request.headers['x-parley-token'] !== 'bench-token') {
    return reply.code(401).send({ status: false, message: 'X-Parley-Token: wrong token' });
  }
  const body = request.body;
  await producer.send({
    topic: 'relay.events.v1',
    acks: -1,
    messages: [{ key: 'justanswer:' + body.questionId, value: JSON.stringify(body) }],
  });
  return { status: true, message: '' };
});

producer.connect().then(() => fastify.listen({ host: '127.0.0.1', port: Number(port) }))
  .then(() => console.log('relay listening'))
  .catch((error) => { console.error(error); process.exit(1); });
