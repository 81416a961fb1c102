import { Controller, Get, Inject, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiExclude } from '@flotilla/openapi';
import { DashboardFiles, type DashboardFile } from '../http/dashboard-files';

/** What both Express and Fastify responses offer for setting a header. */
interface HeaderSink {
  header(name: string, value: string): unknown;
}

/**
 * The web dashboard (apps/dashboard, built) under /ui: its files with their content types and cache
 * headers, and index.html for every other path under /ui (the app routes in the browser). Written
 * against Nest's adapter-neutral StreamableFile, not express.static. No API data is served here:
 * the app calls the API with the user's token.
 */
@ApiExclude()
@Controller('ui')
export class DashboardController {
  constructor(@Inject(DashboardFiles) private readonly files: DashboardFiles) {}

  @Get()
  index(@Req() request: { url: string }, @Res({ passthrough: true }) response: HeaderSink) {
    return this.serve(request.url, response);
  }

  @Get('*path')
  file(@Req() request: { url: string }, @Res({ passthrough: true }) response: HeaderSink) {
    return this.serve(request.url, response);
  }

  private async serve(url: string, response: HeaderSink): Promise<StreamableFile> {
    const file: DashboardFile = await this.files.resolve(url);
    for (const [name, value] of Object.entries(file.headers)) response.header(name, value);
    return new StreamableFile(file.stream, { type: file.contentType, length: file.size });
  }
}
