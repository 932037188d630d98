import 'reflect-metadata';
import { DynamicModule, INestApplication, INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { describeConventions } from '../api/openapi-conventions';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json } from 'express';
import { ApiModule } from '../api/api.module';
import { createBodyParserErrorHandler } from '../api/errors/body-parser-errors';
import { verifyUtf8Body } from '../api/errors/utf8-body';
import { AppConfig, loadConfig } from '../config/app-config';
import { createInfrastructure, Infrastructure } from '../infrastructure/infrastructure';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { AppLogger, createLogger, NestPinoLogger } from '../logging/logger';
import { ProjectorModule } from '../projector/projector.module';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { SenderModule } from '../sender/sender.module';

/** The parts one process can run; the embedded profile runs all four. */
export type ProcessRole = 'api' | 'projector' | 'scheduler' | 'sender';

export interface RunningService {
  readonly config: AppConfig;
  readonly infrastructure: Infrastructure;
  readonly app: INestApplicationContext;
  /** The process's logger, which tests watch for what a request logs. */
  readonly logger: AppLogger;
  /** Base URL of the REST API when this process serves it. */
  readonly url: string | undefined;
  stop(): Promise<void>;
}

/** JSON bodies above this size get 413; CSV imports stream through their own route. */
const JSON_BODY_LIMIT = '1mb';

/** Request headers a browser client sends. ETag is exposed so that it can send If-Match back. */
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'X-Correlation-Id'];
const CORS_EXPOSED_HEADERS = ['ETag'];

/**
 * Starts the given roles in one Nest application over adapters built from `env`. Used by every
 * app's main and by end-to-end tests, so tests run exactly what production runs.
 */
export async function startService(
  roles: readonly ProcessRole[],
  env: NodeJS.ProcessEnv = process.env,
  name = roles.join('+'),
): Promise<RunningService> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, name);
  const infrastructure = await createInfrastructure(config, logger);
  try {
    const module = await rootModule(roles, infrastructure, logger);
    const app = roles.includes('api')
      ? await startHttp(module, config, logger)
      : await NestFactory.createApplicationContext(module, { logger: new NestPinoLogger(logger), abortOnError: false });
    app.enableShutdownHooks();
    await app.init();
    const url = roles.includes('api') ? await (app as INestApplication).getUrl() : undefined;
    logger.info(
      { roles, url, eventStore: config.EVENT_STORE, transport: config.TRANSPORT, gateway: config.SMS_GATEWAY },
      'service started',
    );
    return {
      config,
      infrastructure,
      app,
      logger,
      url: url?.replace('[::1]', '127.0.0.1'),
      stop: async () => {
        await app.close();
        logger.info({ roles }, 'service stopped');
      },
    };
  } catch (error) {
    await infrastructure.close();
    throw error;
  }
}

async function rootModule(roles: readonly ProcessRole[], infrastructure: Infrastructure, logger: AppLogger): Promise<DynamicModule> {
  const imports: Array<Type | DynamicModule> = [InfrastructureModule.forRoot(infrastructure, logger)];
  if (roles.includes('projector')) imports.push(ProjectorModule);
  if (roles.includes('api')) imports.push(ApiModule);
  if (roles.includes('scheduler')) imports.push(SchedulerModule);
  if (roles.includes('sender')) imports.push(SenderModule.forGateway(await infrastructure.createGateway()));

  @Module({})
  class RootModule {}
  return { module: RootModule, imports };
}

async function startHttp(module: DynamicModule, config: AppConfig, logger: AppLogger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  // Express's weak body-hash ETags would reach clients, which If-Match then refuses; see RevisionEtagInterceptor.
  app.set('etag', false);
  // Before the body parser, so that its error responses carry the CORS headers a browser needs to read them.
  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({ origin: config.CORS_ORIGINS, allowedHeaders: CORS_ALLOWED_HEADERS, exposedHeaders: CORS_EXPOSED_HEADERS });
  }
  // Not strict, so that a body such as `null` or `"text"` parses and SafeInputPipe rejects it as not a JSON object.
  app.use(json({ limit: JSON_BODY_LIMIT, strict: false, verify: verifyUtf8Body }), createBodyParserErrorHandler(logger));
  const document = describeConventions(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('SMS Campaigns')
        .setDescription('Maker, Banner, Reporter and audit endpoints of the SMS campaigns backend')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    ),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  await app.listen(config.PORT, config.HOST);
  return app;
}

/** Runs a main: starts, logs a fatal start error with its message, and stops on SIGTERM / SIGINT. */
export function runMain(roles: readonly ProcessRole[], name: string): void {
  startService(roles, process.env, name).catch((error: unknown) => {
    process.stderr.write(`${name} failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
