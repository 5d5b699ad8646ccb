import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'

/**
 * An onRequest hook that finishes at once when its work turns out to be
 * synchronous. An async hook costs every request a promise and a turn of the
 * microtask queue; the key lookup and the rate-limit count are synchronous
 * for nearly every request (a key looked up moments ago, units already
 * leased or counted in the process), and on the cheapest requests those
 * turns were a measurable share of what the limits cost (bench/README.md).
 */
export function eager (work: (request: FastifyRequest, reply: FastifyReply) => void | Promise<void>): onRequestHookHandler {
  return function (request, reply, done) {
    let pending: void | Promise<void>
    try {
      pending = work(request, reply)
    } catch (err) {
      done(err as Error)
      return
    }
    if (pending === undefined) done()
    else pending.then(() => done(), done)
  }
}
