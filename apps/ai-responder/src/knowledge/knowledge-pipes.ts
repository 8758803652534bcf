import { BadRequestException, Injectable, type PipeTransform, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { ImportKnowledgeDto } from './knowledge.dto.js';
import { ARTICLE_ID_PATTERN, ARTICLE_ID_RULE } from './knowledge-limits.js';

/** A 400 shaped like the runtime's validation errors: `message: ['field: reason', …]`. */
export function badRequest(messages: string[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: messages });
}

/** `:articleId` of the path: ARTICLE_ID_PATTERN, else a 400 naming it. */
@Injectable()
export class ArticleIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!ARTICLE_ID_PATTERN.test(value)) throw badRequest([`articleId: articleId ${ARTICLE_ID_RULE}`]);
    return value;
  }
}

/**
 * The import body, validated like every body (unknown properties refused) but naming an article's field by its
 * index, `articles[3].title`, and refusing an id given twice (which article would win?).
 */
@Injectable()
export class ImportKnowledgePipe implements PipeTransform<unknown, Promise<ImportKnowledgeDto>> {
  private readonly validation = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    expectedType: ImportKnowledgeDto,
    exceptionFactory: (errors) => badRequest(bracketed(errors)),
  });

  async transform(value: unknown): Promise<ImportKnowledgeDto> {
    const body = (await this.validation.transform(value, { type: 'body', metatype: ImportKnowledgeDto })) as ImportKnowledgeDto;
    const firstIndex = new Map<string, number>();
    const repeated: string[] = [];
    for (const [index, article] of body.articles.entries()) {
      const first = firstIndex.get(article.id);
      if (first === undefined) firstIndex.set(article.id, index);
      else repeated.push(`articles[${index}].id: articles[${index}].id "${article.id}" is also the id of articles[${first}]`);
    }
    if (repeated.length > 0) throw badRequest(repeated);
    return body;
  }
}

/** Each failed constraint as `path: reason`, array elements as `[index]`. */
function bracketed(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? error.property : /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((reason) => `${path}: ${reason.replace(error.property, path)}`);
    return [...own, ...bracketed(error.children ?? [], path)];
  });
}
