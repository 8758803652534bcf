import 'reflect-metadata';
import { ConsoleEnvironment } from './config/console.environment.js';
import { loadEnvironment } from './config/load-environment.js';
import { startConsole } from './console-app.js';

const environment = loadEnvironment(ConsoleEnvironment);
await startConsole(environment);
