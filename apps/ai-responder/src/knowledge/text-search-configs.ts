import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { searchConfigOf } from './search-query.js';

/**
 * The text search configurations the server has (pg_ts_config), read once: a language whose configuration a server
 * lacks is searched with 'simple' there. Each passage stores the configuration it was made with, and is searched
 * with that one, so what is stored and what is asked always agree.
 */
@Injectable()
export class TextSearchConfigs {
  private available: Promise<ReadonlySet<string>> | undefined;

  constructor(private readonly dataSource: DataSource) {}

  /** The configuration for an article in `language` (ISO 639-1). Call outside any transaction (it may query). */
  async configOf(language: string): Promise<string> {
    return searchConfigOf(language, await this.names());
  }

  names(): Promise<ReadonlySet<string>> {
    this.available ??= this.dataSource
      .query<Array<{ name: string }>>(`SELECT cfgname AS name FROM pg_catalog.pg_ts_config`)
      .then((rows) => new Set(rows.map((row) => row.name)))
      .catch((error: unknown) => {
        this.available = undefined;
        throw error;
      });
    return this.available;
  }
}
