import ts from 'typescript';

/** One `export const X = defineEvent<Payload>(area, event, version)` of the contracts, as the schema generator sees it. */
export interface EventDeclaration {
  /** The exported constant, e.g. `TicketCreated`. */
  exportName: string;
  /** The payload type argument, e.g. `TicketCreatedPayload`; exported from the package's entry point. */
  payloadType: string;
  area: string;
  /** The subject tokens after the project, e.g. `message.created`. */
  event: string;
  version: number;
  /** The declaration's JSDoc, when it has one. */
  description: string | null;
}

/**
 * The event definitions of these source files, read from their syntax: the payload type of a definition exists only
 * in the type system, so no runtime import could tell it. The arguments must be literals (they are subjects).
 */
export function findEventDeclarations(sourceFiles: readonly ts.SourceFile[]): EventDeclaration[] {
  const declarations: EventDeclaration[] = [];
  for (const sourceFile of sourceFiles) {
    for (const statement of sourceFile.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const exported = statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      for (const declaration of statement.declarationList.declarations) {
        const call = declaration.initializer;
        if (!call || !ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'defineEvent') continue;
        const where = `${sourceFile.fileName}: ${declaration.name.getText(sourceFile)}`;
        if (!exported || !ts.isIdentifier(declaration.name)) throw new Error(`${where}: event definitions must be exported constants`);
        declarations.push({
          exportName: declaration.name.text,
          payloadType: payloadTypeOf(call, where),
          area: stringArgument(call, 0, where),
          event: stringArgument(call, 1, where),
          version: versionArgument(call, where),
          description: jsDocOf(declaration),
        });
      }
    }
  }
  return declarations;
}

function payloadTypeOf(call: ts.CallExpression, where: string): string {
  const [typeArgument] = call.typeArguments ?? [];
  if (!typeArgument || !ts.isTypeReferenceNode(typeArgument) || typeArgument.typeArguments || !ts.isIdentifier(typeArgument.typeName)) {
    throw new Error(`${where}: defineEvent needs a named payload type, e.g. defineEvent<TicketCreatedPayload>(...)`);
  }
  return typeArgument.typeName.text;
}

function stringArgument(call: ts.CallExpression, position: number, where: string): string {
  const argument = call.arguments[position];
  if (!argument || !ts.isStringLiteral(argument)) throw new Error(`${where}: argument ${position + 1} of defineEvent must be a string literal`);
  return argument.text;
}

/** `defineEvent`'s version defaults to 1. */
function versionArgument(call: ts.CallExpression, where: string): number {
  const argument = call.arguments[2];
  if (!argument) return 1;
  if (!ts.isNumericLiteral(argument) || !Number.isInteger(Number(argument.text))) {
    throw new Error(`${where}: the version of defineEvent must be an integer literal`);
  }
  return Number(argument.text);
}

function jsDocOf(declaration: ts.VariableDeclaration): string | null {
  // The comment sits on the `export const` statement; TypeScript finds it from the declaration.
  const comment = ts.getJSDocCommentsAndTags(declaration).find(ts.isJSDoc)?.comment;
  if (comment === undefined) return null;
  const text = typeof comment === 'string' ? comment : ts.getTextOfJSDocComment(comment) ?? '';
  return text.replace(/\s+/g, ' ').trim() || null;
}
