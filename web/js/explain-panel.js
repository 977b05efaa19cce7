// "Learn": short explanations that teach with the live network. Closed by default (an embedded
// page is never blocked); each topic has a "Show me" that sets the network up to demonstrate it,
// through the page's own controller (controls -> config -> Python), never around it.

const TOPICS = [
  {
    id: "picture",
    title: "Reading the picture",
    text: [
      "Circles are neurons, in layers from the input (left) to the output (right). A circle's colour is its activation for the example shown: blue positive, orange negative, white near zero; the stronger the colour, the larger the value.",
      "Lines are weights. Width grows with |weight|, colour is its sign (blue +, orange −). The bars on the right are the output probabilities; a dark tick marks the correct class.",
    ],
    show: { label: "Show me", config: { dataset: "digits" }, then: "probe", note: "Digits: click the picture for another example and watch the activations change." },
  },
  {
    id: "neuron",
    title: "Neuron, weight, bias",
    text: [
      "A neuron multiplies each input by a weight, adds them up and adds its bias: z = Σ aᵢ·wᵢ + b. A weight says how much one input counts, and in which direction; the bias shifts how easily the neuron turns on.",
      "Then an activation function turns z into the neuron's output a (relu keeps positives and zeroes negatives; tanh squashes into −1…1). Hover a neuron to see its numbers.",
    ],
    show: { label: "Show me", config: { dataset: "gaussians", hidden: [4] }, note: "A small network: 2 inputs, 4 hidden neurons. Hover one." },
  },
  {
    id: "nonlinear",
    title: "Why nonlinearity matters",
    text: [
      "Without an activation function, every layer is just a weighted sum, and weighted sums of weighted sums are still one weighted sum: however many layers, the network can only draw a straight boundary.",
      "Train on the circle with a linear activation and the boundary stays straight; switch to tanh and it bends around the ring.",
    ],
    show: { label: "Show me (linear)", config: { dataset: "circle", activation: "linear", hidden: [8, 8] }, then: "play", note: "Linear: the boundary can only be a straight line." },
    more: { label: "Now with tanh", config: { dataset: "circle", activation: "tanh", hidden: [8, 8] }, then: "play", note: "tanh: the boundary can curve." },
  },
  {
    id: "layers",
    title: "Layers build features",
    text: [
      "Each hidden layer computes new features from the previous layer's: the first layer can only cut the plane with straight lines; the next combines those cuts into corners and curves, and so on. More layers and neurons can express more complicated shapes.",
      "The spiral needs many pieces: compare a network of one layer of 4 with two layers of 32.",
    ],
    show: { label: "Show me (4)", config: { dataset: "spiral", hidden: [4] }, then: "play", note: "One layer of 4 neurons: too few pieces for a spiral." },
    more: { label: "Two layers of 32", config: { dataset: "spiral", hidden: [32, 32] }, then: "play", note: "Two layers of 32: enough pieces to follow the arms." },
  },
  {
    id: "steps",
    title: "The four steps of learning",
    text: [
      "1 Forward: the example flows through the network to a prediction. 2 Loss: one number says how wrong it was. 3 Backpropagation: the chain rule sends the error back, giving every weight its gradient — how the loss would change if it grew. 4 Gradient descent: every weight moves a little against its gradient.",
      "Training repeats these four steps thousands of times, on small batches of examples.",
    ],
    show: { label: "Step through one", then: "walk" },
  },
  {
    id: "gradients",
    title: "Vanishing gradients",
    text: [
      "A sigmoid's slope is at most ¼, and backpropagation multiplies by one such slope per layer: in a deep sigmoid network the gradient reaching the first layers is tiny, so they barely learn.",
      "Show me builds six sigmoid layers, colours the network by gradient and closes this panel: in the “Gradient size” chart the first layer's line (W1, lightest) sits orders of magnitude below the last (W7, darkest).",
    ],
    show: { label: "Show me", config: { dataset: "xor", activation: "sigmoid", hidden: [8, 8, 8, 8, 8, 8] }, then: "gradient", close: true },
  },
];

export class ExplainPanel {
  /** @param {object} o  host, button, controller, actions: { play(), walk(), colorBy(mode), probe() } */
  constructor(o) {
    Object.assign(this, o);
    this.open = false;
    this._build();
    this.button.addEventListener("click", () => this.toggle());
  }

  _build() {
    const panel = (this.panel = document.createElement("section"));
    panel.className = "panel learn-panel";
    panel.id = "learn";
    panel.dataset.testid = "learn-panel";
    panel.setAttribute("aria-label", "Learn how a neural network learns");
    panel.hidden = true;
    const head = document.createElement("div");
    head.className = "walk-head";
    const h = document.createElement("h2");
    h.textContent = "Learn";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "walk-x";
    close.textContent = "✕";
    close.dataset.testid = "learn-close";
    close.setAttribute("aria-label", "Close the explanations");
    close.addEventListener("click", () => this.toggle(false));
    head.append(h, close);
    this.status = document.createElement("p");
    this.status.className = "learn-status";
    this.status.dataset.testid = "learn-status";
    this.status.setAttribute("role", "status");
    const list = document.createElement("div");
    list.className = "learn-list";
    for (const topic of TOPICS) {
      const d = document.createElement("details");
      d.name = "learn"; // one topic open at a time
      d.dataset.topic = topic.id;
      const s = document.createElement("summary");
      s.textContent = topic.title;
      d.append(s);
      for (const para of topic.text) {
        const p = document.createElement("p");
        p.textContent = para;
        d.append(p);
      }
      const row = document.createElement("div");
      row.className = "learn-actions";
      for (const action of [topic.show, topic.more].filter(Boolean)) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "btn";
        b.textContent = action.label;
        b.dataset.testid = `show-${topic.id}${action === topic.more ? "-more" : ""}`;
        b.addEventListener("click", () => this.show(action));
        row.append(b);
      }
      d.append(row);
      list.append(d);
    }
    list.querySelector("details").open = true;
    panel.append(head, list, this.status);
    this.host.append(panel);
  }

  toggle(open = !this.open) {
    this.open = open;
    this.panel.hidden = !open;
    document.body.classList.toggle("learning", open);
    this.button.setAttribute("aria-expanded", String(open));
    this.button.classList.toggle("on", open);
    this.onToggle && this.onToggle(open);
  }

  async show(action) {
    this.status.textContent = "";
    try {
      if (action.config) await this.controller.setConfig(action.config);
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      if (action.then === "play") this.controller.play();
      else if (action.then === "walk") this.actions.walk();
      else if (action.then === "gradient") {
        this.actions.colorBy("gradient");
        this.controller.play();
      }
      this.status.textContent = action.note || "";
      if (action.close) this.toggle(false); // the demonstration is in the side column's chart
    } catch (error) {
      this.status.textContent = `Could not set that up: ${error.message || error}`;
    }
  }
}
