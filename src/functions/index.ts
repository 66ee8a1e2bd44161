// Entry point for the Azure Functions host (package.json "main"): registers every function of the registry, the
// people's routes anonymous when App Service Authentication is in front (APP_SERVICE_AUTHENTICATION=true).
import { app } from '@azure/functions';
import { signInConfigured } from '../config.js';
import { functionsFor } from './registry.js';

// authLevel is fixed at registration: the people's routes are anonymous only when sign-in is configured.
for (const fn of functionsFor(signInConfigured(process.env))) {
  if (fn.kind === 'timer') {
    app.timer(fn.name, { schedule: `%${fn.scheduleSetting}%`, handler: fn.handler });
  } else if (fn.kind === 'queue') {
    // host.json extensions.queues sets batch size, visibility timeout and max dequeue count.
    app.storageQueue(fn.name, {
      queueName: `%${fn.queueSetting}%${fn.poison ? '-poison' : ''}`,
      connection: fn.connection,
      handler: (message, context) => fn.handler(message, context),
    });
  } else {
    app.http(fn.name, {
      route: fn.route,
      methods: [...fn.methods],
      authLevel: fn.authLevel,
      handler: (request, context) => fn.handler(request, context),
    });
  }
}
