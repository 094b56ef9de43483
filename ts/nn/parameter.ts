// nn.Parameter: a leaf tensor that a Module registers as one of its parameters.
//
// It shares storage with the tensor it is made from (as torch.nn.Parameter does) and
// requires grad by default. Modules find their parameters by looking for Parameter values
// among their own properties, so a plain Tensor assigned to a module stays unregistered,
// exactly as in PyTorch.
import { N } from '../native';
import { Tensor } from '../tensor';
import { empty } from '../creation';
import { formatTensor } from '../print';

export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    super();
    if (data !== undefined && !(data instanceof Tensor))
      throw new TypeError(`Parameter(): data must be a Tensor, not ${data === null ? 'null' : typeof data}`);
    const src = data ?? empty(0);
    this._id = N.detach(this, src._id);
    if (requiresGrad) N.setRequiresGrad(this._id, true);
  }

  toString(): string {
    return `Parameter containing:\n${formatTensor(this)}`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this._id < 0 ? 'Parameter(<disposed>)' : this.toString();
  }
}
