import type { DataSource } from 'typeorm';

/**
 * The entity's table as raw SQL names it, schema included: `"ai_responder"."knowledge_passage"`. For the queries
 * TypeORM's builders cannot express (text search, unnest, ON CONFLICT … WHERE, UPDATE … FROM).
 */
export function quotedTable(dataSource: DataSource, entity: Function): string {
  return dataSource
    .getMetadata(entity)
    .tablePath.split('.')
    .map((part) => `"${part}"`)
    .join('.');
}
