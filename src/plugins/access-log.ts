/**
 * One log line per request: action, status, duration and the token's id
 * (never the token), with api-key query values masked.
 * Depends on: auth (request.caller).
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

export function maskUrl (url: string): string {
  return url.replace(/([?&](?:api-key|api_key|apikey|token)=)[^&]*/gi, '$1[redacted]')
}

export default fp(async function accessLog (app: FastifyInstance) {
  app.addHook('onResponse', async (request, reply) => {
    const caller = request.caller
    request.log.info({
      method: request.method,
      url: maskUrl(request.url),
      action: request.actionName,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      token_id: caller?.tokenId ?? null,
      user: caller?.name ?? null
    }, 'request')
  })
}, { name: 'access-log', dependencies: ['auth'] })
