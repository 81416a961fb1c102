import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Module,
  Post,
  UseGuards,
  type CanActivate,
} from '@nestjs/common';
import { z } from 'zod';
import { buildOpenApiDocument, collectRoutes } from './openapi-document';
import { ApiBody, ApiExclude, ApiOperation, ApiQuery } from './openapi.decorators';
import { moduleControllers } from './module-controllers';
import { namedSchemas } from './zod-components';

class KeyGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

const widgetBodySchema = z.object({ name: z.string().min(1), size: z.int().default(1) });
const widgetSchema = z.object({ uid: z.string(), name: z.string(), size: z.int().default(1) });
const listQuerySchema = z.object({
  perPage: z.coerce.number().int().default(20),
  tag: z.array(z.string()).optional(),
});

@Controller('api/v1/projects/:projectID/widgets')
@UseGuards(KeyGuard)
class WidgetsController {
  @ApiOperation({ summary: 'Create a widget', data: widgetSchema })
  @Post()
  create(@ApiBody(widgetBodySchema) _body: unknown): void {
    return undefined;
  }

  @Get()
  list(@ApiQuery(listQuerySchema) _query: unknown): void {
    return undefined;
  }

  @Delete(':widgetID')
  @HttpCode(202)
  remove(): void {
    return undefined;
  }

  @ApiExclude()
  @Get('hidden')
  hidden(): void {
    return undefined;
  }

  helper(): void {
    return undefined;
  }
}

@ApiExclude()
@Controller('internal')
class InternalController {
  @Get()
  get(): void {
    return undefined;
  }
}

@Controller('open')
class OpenController {
  @Post(':maskID')
  @HttpCode(200)
  receive(): void {
    return undefined;
  }
}

@Module({ controllers: [OpenController] })
class InnerModule {}

@Module({})
class RootModule {}

interface Doc {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

function build(): Doc {
  return buildOpenApiDocument({
    info: { title: 'Test', version: '1.0.0' },
    controllers: [WidgetsController, InternalController, OpenController],
    names: namedSchemas([{ widgetBodySchema, widgetSchema }]),
    securitySchemes: { key: { type: 'http', scheme: 'bearer' } },
    security: (guards) => (guards.includes(KeyGuard) ? [{ key: [] }] : []),
    errorSchema: z.object({ status: z.literal(false), message: z.string() }),
  }) as unknown as Doc;
}

describe('buildOpenApiDocument', () => {
  it("reads paths, methods, status codes and path parameters from Nest's route metadata", () => {
    const doc = build();
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/projects/{projectID}/widgets',
      '/api/v1/projects/{projectID}/widgets/{widgetID}',
      '/open/{maskID}',
    ]);
    const remove = doc.paths['/api/v1/projects/{projectID}/widgets/{widgetID}']!['delete']!;
    expect(Object.keys(remove['responses'] as object)).toEqual(['202', '401', '403', '404', '500']);
    expect(remove['parameters']).toEqual([
      { name: 'projectID', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'widgetID', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(remove['summary']).toBe('Remove (widgets)');
    expect(doc.paths['/open/{maskID}']!['post']!['security']).toEqual([]);
    expect(doc.paths['/api/v1/projects/{projectID}/widgets']!['post']!['security']).toEqual([
      { key: [] },
    ]);
  });

  it('documents the body and query with the schemas the route parses with, named as exported', () => {
    const doc = build();
    const create = doc.paths['/api/v1/projects/{projectID}/widgets']!['post']!;
    expect(create['summary']).toBe('Create a widget');
    expect(create['requestBody']).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/WidgetBody' } } },
    });
    // Request view: a field with a default is optional.
    expect(doc.components.schemas['WidgetBody']!['required']).toEqual(['name']);
    // Response view: the default is applied, so the field is always there.
    expect(doc.components.schemas['Widget']!['required']).toEqual(['uid', 'name', 'size']);
    const list = doc.paths['/api/v1/projects/{projectID}/widgets']!['get']!;
    expect(list['parameters']).toEqual([
      { name: 'projectID', in: 'path', required: true, schema: { type: 'string' } },
      {
        name: 'perPage',
        in: 'query',
        required: false,
        schema: {
          type: 'integer',
          default: 20,
          minimum: expect.any(Number) as number,
          maximum: expect.any(Number) as number,
        },
      },
      {
        name: 'tag',
        in: 'query',
        required: false,
        schema: { type: 'array', items: { type: 'string' } },
        style: 'form',
        explode: true,
      },
    ]);
  });

  it('leaves out excluded controllers and methods, and methods that are not routes', () => {
    const routes = collectRoutes([WidgetsController, InternalController]);
    expect(routes.map((route) => route.handlerName).sort()).toEqual(['create', 'list', 'remove']);
  });

  it('finds the controllers of a module definition and its imports without instantiating anything', () => {
    expect(
      moduleControllers({
        module: RootModule,
        imports: [InnerModule],
        controllers: [WidgetsController],
      }),
    ).toEqual([OpenController, WidgetsController]);
  });
});
