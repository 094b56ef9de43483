// torch.nn: modules, losses, initialisers and the functional forms.
export { Module } from './module';
export type { StateDict, IncompatibleKeys } from './module';
export { Parameter } from './parameter';
export { Linear, Identity } from './linear';
export type { LinearOptions } from './linear';
export { ReLU, Sigmoid, Tanh, GELU, SiLU, LeakyReLU, Softmax, LogSoftmax } from './activation';
export { Dropout } from './dropout';
export { Flatten } from './flatten';
export { Embedding } from './embedding';
export { LayerNorm } from './layernorm';
export { Conv2d } from './conv';
export { MSELoss, L1Loss, NLLLoss, CrossEntropyLoss, BCEWithLogitsLoss, BCELoss } from './loss';
export { Sequential, ModuleList } from './sequential';
export { BatchNorm1d, BatchNorm2d } from './batchnorm';
export type { BatchNormOptions } from './batchnorm';
export { MaxPool2d, AvgPool2d } from './pooling';
export { Softplus, ELU, SmoothL1Loss, HuberLoss } from './modules_more';
/** torch.nn.functional: the function forms of the layers and losses (relu, linear, crossEntropy, ...). */
export * as functional from './functional';
/** torch.nn.utils: clipGradNorm_, clipGradValue_, parametersToVector, vectorToParameters. */
export * as utils from './utils';
/** torch.nn.init: PyTorch's initialisers, in place under noGrad (kaimingUniform_, xavierNormal_, ...). */
export * as init from './init';
