import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * loadEnvironment of @ensoras/runtime, same behaviour and output: prints which variable is wrong and why, then exits.
 * Not imported from there: that entry point also loads messaging, NATS, TypeORM and Terminus, about 22 MB of
 * resident memory the console never uses, in an `npm start` whose whole tree has a memory target (docs/benchmarks.md).
 */
export function loadEnvironment<T extends object>(schema: new () => T, source: NodeJS.ProcessEnv = process.env): T {
  const environment = plainToInstance(schema, { ...source }, { excludeExtraneousValues: false });
  const errors = validateSync(environment, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => `  ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`);
    process.stderr.write(`Invalid environment:\n${lines.join('\n')}\n`);
    process.exit(1);
  }
  return environment;
}
