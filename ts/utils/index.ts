// torch.utils: the data-loading helpers, as torch.utils.data.
export * as data from './data';
