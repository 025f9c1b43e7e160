import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, ConcurrencyError, NotFoundError } from '../../domain/errors.ts';
import { registerErrorHandling } from './errors.ts';

async function appWithRoutes() {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.post('/things', { schema: { body: z.object({ name: z.string().min(3) }) } }, async () => ({ ok: true }));
  app.get('/missing', async () => {
    throw new NotFoundError('Connection c-1 was not found');
  });
  app.get('/conflict', async () => {
    throw new ConcurrencyError('org-1', 'revision 3', 'revision 4');
  });
  app.get('/bug', async () => {
    throw new Error('secret internals: password=hunter2');
  });
  app.get('/our-error', async () => {
    throw new AppError('INTERNAL', 'filter on docs_versions.secret_field is malformed');
  });
  await app.ready();
  return app;
}

describe('the one error shape', () => {
  it('answers invalid input with 400 VALIDATION_FAILED and the failing fields', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x' } });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; message: string; details: Array<{ path: string }> } }>();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toMatch(/^Invalid body: /);
    expect(body.error.details[0]?.path).toBe('/name');
  });

  it('answers malformed JSON with 400 and loses nothing', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'POST', url: '/things', payload: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });

  it('maps domain errors to their status and code', async () => {
    const app = await appWithRoutes();
    expect((await app.inject('/missing')).json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Connection c-1 was not found' } });
    const conflict = await app.inject('/conflict');
    expect(conflict.statusCode).toBe(412);
    expect(conflict.json()).toMatchObject({ error: { code: 'CONCURRENCY_CONFLICT' } });
  });

  it('hides the internals of our own failures', async () => {
    const app = await appWithRoutes();
    const response = await app.inject('/bug');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.json()).toEqual({ error: { code: 'INTERNAL', message: 'Something went wrong on our side; it has been logged' } });
    // An internal error of our own making (a malformed query, an unreadable event) is hidden the same way.
    const ours = await app.inject('/our-error');
    expect([ours.statusCode, ours.json()]).toEqual([500, { error: { code: 'INTERNAL', message: 'Something went wrong on our side; it has been logged' } }]);
  });
});
