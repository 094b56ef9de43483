// torch.optim: optimizers and learning-rate schedulers.
export { Optimizer, required } from './optimizer';
export type { ParamGroup, ParamsArg, OptimizerStateDict, OptimizerState } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions } from './sgd';
export { Adam } from './adam';
export type { AdamOptions } from './adam';
export { AdamW } from './adamw';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions } from './rmsprop';
export { Adagrad } from './adagrad';
export type { AdagradOptions } from './adagrad';
export * as lrScheduler from './lr_scheduler';
