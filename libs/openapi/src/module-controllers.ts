import 'reflect-metadata';
import type { DynamicModule, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';

type ModuleLike = Type | DynamicModule | Promise<DynamicModule> | { forwardRef: () => unknown };

function isDynamic(module: unknown): module is DynamicModule {
  return typeof module === 'object' && module !== null && 'module' in module;
}

/**
 * Every controller a module definition registers, its imports' included, in Nest's order, read from
 * the definition alone (nothing is instantiated): what the application serves, without starting it.
 */
export function moduleControllers(root: Type | DynamicModule): Type[] {
  const seen = new Set<unknown>();
  const controllers: Type[] = [];
  const visit = (module: ModuleLike | undefined): void => {
    if (
      module === undefined ||
      seen.has(module) ||
      module instanceof Promise ||
      'forwardRef' in module
    )
      return;
    seen.add(module);
    const type = isDynamic(module) ? module.module : module;
    const imports = [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) ?? []) as ModuleLike[]),
      ...(isDynamic(module) ? ((module.imports ?? []) as ModuleLike[]) : []),
    ];
    for (const imported of imports) visit(imported);
    const own = [
      ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) ?? []) as Type[]),
      ...(isDynamic(module) ? (module.controllers ?? []) : []),
    ];
    for (const controller of own)
      if (!controllers.includes(controller)) controllers.push(controller);
  };
  visit(root);
  return controllers;
}
