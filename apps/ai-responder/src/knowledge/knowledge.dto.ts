import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsByteLength,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ARTICLE_ID_PATTERN,
  ARTICLE_ID_RULE,
  ISO_639_1_CODES,
  MAX_BODY_BYTES,
  MAX_IMPORT_ARTICLES,
  MAX_PAGE_SIZE,
  MAX_SEARCH_QUERY_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  MAX_TITLE_CHARS,
  MAX_URL_CHARS,
  DEFAULT_LANGUAGE,
  DEFAULT_PAGE_SIZE,
} from './knowledge-limits.js';
import { MAX_RETRIEVAL_LIMIT } from './knowledge-retriever.js';

const LANGUAGES = [...ISO_639_1_CODES];
const LANGUAGE_RULE = { message: '$property must be an ISO 639-1 language code in lower case, such as en, de or fr' };
const NOT_BLANK = /\S/;
/** PostgreSQL text cannot hold NUL. */
const NO_NUL = /^[^\u0000]*$/;
const noNul = (property: string, each = false) => Matches(NO_NUL, { each, message: `${property} must not contain NUL characters` });

/** An article as an admin writes it. Left out: language `en`, no tags, no url. */
export class KnowledgeArticleDto {
  @ApiProperty({ maxLength: MAX_TITLE_CHARS, example: 'Returns and refunds' })
  @IsString() @Matches(NOT_BLANK, { message: 'title must not be empty' }) @noNul('title') @MaxLength(MAX_TITLE_CHARS) title!: string;

  /** Markdown or HTML (told apart by its content). */
  @ApiProperty({ description: `Markdown or HTML (told apart by its content); at most ${MAX_BODY_BYTES} bytes of UTF-8` })
  @IsString()
  @Matches(NOT_BLANK, { message: 'body must not be empty' })
  @noNul('body')
  @IsByteLength(0, MAX_BODY_BYTES, { message: `body must be at most ${MAX_BODY_BYTES / 1024} KB (${MAX_BODY_BYTES} bytes of UTF-8)` })
  body!: string;

  @ApiPropertyOptional({ enum: LANGUAGES, enumName: 'LanguageCode', default: DEFAULT_LANGUAGE, description: 'ISO 639-1 code in lower case' })
  @IsOptional() @IsIn(LANGUAGES, LANGUAGE_RULE) language?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_TAGS, description: `Each 1 to ${MAX_TAG_CHARS} characters` })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @Matches(NOT_BLANK, { each: true, message: 'each value in tags must not be empty' })
  @noNul('tags', true)
  @MaxLength(MAX_TAG_CHARS, { each: true })
  tags?: string[];

  /** Where customers can read it; null or left out for none. */
  @ApiPropertyOptional({ type: String, format: 'uri', nullable: true, maxLength: MAX_URL_CHARS, description: 'An http(s) URL where customers can read it' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_CHARS)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true },
    { message: 'url must be an http(s) URL' },
  )
  url?: string | null;
}

/** PUT …/knowledge/articles/{articleId}: the whole article (the id is in the path). */
export class PutKnowledgeArticleDto extends KnowledgeArticleDto {}

/** One article of an import: its id in the body. */
export class ImportedKnowledgeArticleDto extends KnowledgeArticleDto {
  @ApiProperty({ pattern: ARTICLE_ID_PATTERN.source, description: `The article's id: ${ARTICLE_ID_RULE}` })
  @IsString() @Matches(ARTICLE_ID_PATTERN, { message: `id ${ARTICLE_ID_RULE}` }) id!: string;
}

/** POST …/knowledge/import: articles written all or nothing (each replaces the article of its id). */
export class ImportKnowledgeDto {
  @ApiProperty({ type: () => [ImportedKnowledgeArticleDto], minItems: 1, maxItems: MAX_IMPORT_ARTICLES, description: 'Ids must be distinct' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IMPORT_ARTICLES)
  @ValidateNested({ each: true })
  @Type(() => ImportedKnowledgeArticleDto)
  articles!: ImportedKnowledgeArticleDto[];
}

export class ListKnowledgeArticlesQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE) limit?: number;
  /** `nextCursor` of the previous page. */
  @ApiPropertyOptional({ maxLength: 400, description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @MaxLength(400) cursor?: string;
}

export class SearchKnowledgeQuery {
  /** The text to find passages for: a customer's question or mail. */
  @ApiProperty({ maxLength: MAX_SEARCH_QUERY_CHARS, description: "The text to find passages for: a customer's question or mail" })
  @IsString() @Matches(NOT_BLANK, { message: 'q must not be empty' }) @MaxLength(MAX_SEARCH_QUERY_CHARS) q!: string;
  /** The mail's language, as the responder passes it. */
  @ApiPropertyOptional({ enum: LANGUAGES, enumName: 'LanguageCode', description: "The mail's language (ISO 639-1), as the responder passes it" })
  @IsOptional() @IsIn(LANGUAGES, LANGUAGE_RULE) language?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_RETRIEVAL_LIMIT })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_RETRIEVAL_LIMIT) limit?: number;
}
