"""Build tutorials/04_text_classifier_lstm.ipynb."""

from nb import build, code, md

# The five code blocks of the document's §4.1, character for character.
PRINTED_IMPORTS = "import torch\nimport torch.nn as nn\nimport torch.optim as optim\n"
PRINTED_MODEL = (
    "class TextClassifier(nn.Module):\n"
    "    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim):\n"
    "        super(TextClassifier, self).__init__()\n"
    "        self.embedding = nn.Embedding(vocab_size, embedding_dim)\n"
    "        self.lstm = nn.LSTM(embedding_dim, hidden_dim)\n"
    "        self.fc = nn.Linear(hidden_dim, output_dim)\n"
    "\n"
    "    def forward(self, x):\n"
    "        embedded = self.embedding(x)\n"
    "        output, (hidden, cell) = self.lstm(embedded)\n"
    "        hidden = hidden.squeeze(0)\n"
    "        out = self.fc(hidden)\n"
    "        return out\n"
)
PRINTED_DATA = (
    "# 加载数据\n"
    "train_data, test_data = load_data()\n"
    "\n"
    "# 将文本转换为索引\n"
    "vocab_size = len(vocab)\n"
    "train_data = torch.tensor(train_data, dtype=torch.long)\n"
    "test_data = torch.tensor(test_data, dtype=torch.long)\n"
    "\n"
    "# 将文本分割为词嵌入\n"
    "embedding_dim = 100\n"
    "embedding = nn.Embedding(vocab_size, embedding_dim)\n"
    "train_data = embedding(train_data)\n"
    "test_data = embedding(test_data)\n"
)
PRINTED_SETUP = (
    "model = TextClassifier(vocab_size, embedding_dim, hidden_dim, output_dim)\n"
    "criterion = nn.CrossEntropyLoss()\n"
    "optimizer = optim.Adam(model.parameters(), lr=0.001)\n"
)
PRINTED_TRAIN = (
    "for epoch in range(epochs):\n"
    "    model.train()\n"
    "    optimizer.zero_grad()\n"
    "    output = model(train_data)\n"
    "    loss = criterion(output, train_labels)\n"
    "    loss.backward()\n"
    "    optimizer.step()\n"
)


def listing(block):
    return "```python\n" + block + "```"


def as_string(name, block):
    return f'{name} = """\\\n{block}"""'


cells = [
    md(r"""
    # 04 — The document's text classifier (§4), its bugs, and an LSTM that works

    Section 4 of the document builds "a simple large model" for **text classification**: words are
    turned into vectors (an **embedding**), read in order by an **LSTM** (a recurrent network with
    a memory), and its final state is mapped to class scores by a **linear** layer. This notebook

    1. shows the §4 code exactly as printed and runs it, supplying one missing piece at a time,
       to name each of its bugs;
    2. trains a corrected version on `minidl.datasets.synthetic_sentiment`, movie-review sentences
       whose label depends on **word order**;
    3. explains the LSTM's gates against minidl's `LSTMCell`, and checks numerically that the
       fast `nn.LSTM` computes the same function (equal up to float32 rounding);
    4. evaluates it with the metrics of §6.3 (accuracy, precision, recall) and a confusion matrix;
    5. compares it with a **bag-of-words** model, which ignores word order.
    """),
    md(
        "## 1. §4 as printed\n\n"
        "The document's code (PyTorch), in its five blocks; the comments say \"load the data\",\n"
        "\"convert the text to indices\" and \"split the text into word embeddings\".\n\n"
        + "\n\n".join(
            listing(b)
            for b in (PRINTED_IMPORTS, PRINTED_MODEL, PRINTED_DATA, PRINTED_SETUP, PRINTED_TRAIN)
        )
    ),
    md(r"""
    The model class is fine. The rest cannot run. To see why, we execute the printed blocks with
    minidl standing in for `torch` (minidl has PyTorch's names, so only the import lines change),
    and supply the missing pieces one at a time. The first cell also limits NumPy's linear-algebra
    library to one thread: minidl's matrices here are small, and on them threads cost more time
    than they save.
    """),
    code(
        """
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads; see above
    %matplotlib inline
    import inspect

    import matplotlib.pyplot as plt
    import numpy as np

    import minidl
    import minidl as torch  # the document's `import torch`, with minidl in its place
    import minidl.nn as nn
    import minidl.optim as optim
    from minidl.data import DataLoader, TensorDataset
    from minidl.datasets import synthetic_sentiment
    from minidl.metrics import accuracy, confusion_matrix, f1_score, precision, recall
    from minidl.text import Vocab, pad_sequences, tokenize

    minidl.manual_seed(0)
    plt.rcParams.update({"figure.figsize": (6, 3.5), "figure.dpi": 80})
    """
    ),
    code(
        "\n\n".join(
            [
                "# The printed blocks, verbatim, as strings we can execute step by step.",
                as_string("printed_model", PRINTED_MODEL),
                as_string("printed_data", PRINTED_DATA),
                as_string("printed_setup", PRINTED_SETUP),
                as_string("printed_train", PRINTED_TRAIN),
                '''def run(block, names):
    """Execute a printed block in the namespace `names`; report how it ends."""
    try:
        exec(block, names)
        print("ran to the end")
    except Exception as e:
        print(f"{type(e).__name__}: {e}")


names = {"torch": torch, "nn": nn, "optim": optim}
run(printed_model, names)
run(printed_data, names)''',
            ]
        )
    ),
    md(r"""
    **Bug 1: `load_data` is never defined**, and the document never says what it returns. The
    comment "convert the text to indices" suggests texts; let us give it some (a few sentences from
    the data set we use later):
    """),
    code("""
    texts, labels = synthetic_sentiment(1000, seed=0)
    names["load_data"] = lambda: (texts[:800], texts[800:])
    run(printed_data, names)
    """),
    md(r"""
    **Bug 2: `vocab` is never defined** — nor built: nothing maps words to numbers. We build a
    vocabulary with `minidl.text.Vocab` (token ↔ index, with `<pad>` = 0 and `<unk>` = 1):
    """),
    code("""
    vocab = Vocab.build(texts[:800])
    names["vocab"] = vocab
    run(printed_data, names)
    """),
    md(r"""
    **Bug 3: the text is never converted to indices**, despite the comment. `torch.tensor(...,
    dtype=torch.long)` needs numbers. So `load_data` must return token ids — but sentences have
    different lengths, and a tensor must be rectangular:
    """),
    code("""
    ids = [vocab.encode(t) for t in texts]
    names["load_data"] = lambda: (ids[:800], ids[800:])
    run(printed_data, names)
    """),
    md(r"""
    **Bug 4: no padding.** Sequences must be padded to a common length first (`pad_sequences`
    fills with the `<pad>` id, 0; PyTorch's `nn.utils.rnn.pad_sequence`, also in minidl, does the
    same for a list of tensors, `padding_side="left"` for padding before the words). Now the data block runs — but look at what it produced:
    """),
    code("""
    padded = pad_sequences(ids, batch_first=True, padding="pre")  # (N, T): one row per sentence
    names["load_data"] = lambda: (padded[:800], padded[800:])
    run(printed_data, names)
    print("train_data:", names["train_data"].shape, names["train_data"].dtype)
    """),
    md(r"""
    `train_data` is no longer token ids: it is already **embedded**, 100 floats per token, by an
    `nn.Embedding` created *outside* the model. Keep that in mind and continue:
    """),
    code("""
    run(printed_setup, names)
    names.update(hidden_dim=32, output_dim=2)
    run(printed_setup, names)
    run(printed_train, names)
    names["epochs"] = 5
    run(printed_train, names)
    """),
    md(r"""
    **Bug 5: `hidden_dim` and `output_dim` are never defined** (any hidden size will do; there are
    2 classes). **Bug 6: `epochs` is never defined.** And then the central bug:

    **Bug 7: the data is embedded twice.** The model's `forward` starts with its own
    `self.embedding(x)`, which expects token ids; it receives the floats of the outside embedding.
    PyTorch fails the same way. Even if it ran, the outside embedding is a second, random table
    that is not among `model.parameters()`, so the optimizer would never train it. The fix is to
    delete the outside embedding and give the model token ids:
    """),
    code("""
    fixed_data = printed_data.replace("train_data = embedding(train_data)\\n", "")
    fixed_data = fixed_data.replace("test_data = embedding(test_data)\\n", "")
    run(fixed_data, names)
    run(printed_setup, names)
    run(printed_train, names)
    names["train_labels"] = labels[:800]
    run(printed_train, names)
    """),
    md(r"""
    **Bug 8: `train_labels` is never defined** (nor any test labels). With labels supplied, the
    last error is the subtlest:

    **Bug 9: batch and time are swapped.** `nn.LSTM(embedding_dim, hidden_dim)` — in PyTorch and in
    minidl — expects **(T, B, E)**: time first, then the batch. The data is (N, T), one sentence
    per row, so the LSTM reads the 800 sentences as 800 *time steps* of a batch of 11 "sentences"
    (the word positions). The last hidden state then has 11 rows, not 800, and the loss notices the
    mismatch. Had the number of sentences equalled the sentence length, it would have trained on
    nonsense without any error. Fix: transpose to (T, N), or build the LSTM with `batch_first=True`.

    Three more problems raise no error at all:

    | # | bug | consequence | fix |
    |---|---|---|---|
    | 10 | each epoch is **one step on the whole training set** | Adam with `lr=0.001` takes only `epochs` steps: with a handful of epochs, far too few (the README's quickstart runs 150) | mini-batches from a shuffled `DataLoader` (§3.3 eq. 3's "random sample", a few at a time), or many more epochs |
    | 11 | `test_data` is **never used**; nothing is evaluated or printed | no idea whether it learned (§3.2 step 5, §6.3) | evaluate on held-out data with `model.eval()` and `no_grad()`, report accuracy / precision / recall |
    | 12 | padding position unspecified | with padding *after* the words, the last hidden state, which the classifier reads, comes after a run of `<pad>` tokens: the LSTM must learn to carry the sentence through them, so it learns more slowly (exercise 1 measures how much) | pad *before* the words (`padding="pre"`), so the last step is the last word; or pack the batch (`nn.utils.rnn.pack_padded_sequence`, PyTorch's way, exercise 6), so the LSTM stops at each sentence's own end |

    Summary of all bugs: `load_data`, `vocab`, `hidden_dim`, `output_dim`, `epochs`, `train_labels`
    undefined; no tokenization and no padding; data embedded outside the model and again inside it;
    (N, T) data for a (T, B, E) LSTM; one full-batch step per epoch; no evaluation.

    ## 2. The corrected version

    **The data.** `synthetic_sentiment` writes short reviews from five templates. In most of them
    the label depends on word **order** or on a "not":
    """),
    code("""
    templates = {
        "plain": "the film was good",
        "negated": "the film was not good",
        "contrast (but)": "the film was good but boring",
        "concession (although)": "although the film was good , it was boring",
        "and not": "the film was good and not boring",
    }


    def template_of(text):
        if text.startswith("although"):
            return "concession (although)"
        if " but " in text:
            return "contrast (but)"
        if " and not " in text:
            return "and not"
        if " not " in text:
            return "negated"
        return "plain"


    texts, labels = synthetic_sentiment(2000, seed=0)
    for text, label in list(zip(texts, labels))[:6]:
        print(f"{'positive' if label else 'negative':9} {text!r:50} [{template_of(text)}]")
    """),
    md(r"""
    In "good but boring" the second adjective decides (negative); in "good and not boring" the
    first one does (positive). Each contrast sentence holds one positive and one negative
    adjective, so **which words occur says nothing** about the label; only their order does.

    **Preprocessing** (§3.2 step 1): split into training and test sets, tokenize, build the
    vocabulary *on the training set only*, turn each sentence into ids and pad them at the front.
    """),
    code("""
    train_texts, test_texts = texts[:1000], texts[1000:]
    train_labels, test_labels = labels[:1000], labels[1000:]
    print(tokenize(train_texts[0]))

    vocab = Vocab.build(train_texts)
    print(vocab, f"({len(vocab)} tokens)")


    def encode(texts, length=None):
        return pad_sequences([vocab.encode(t) for t in texts], batch_first=True, padding="pre", max_len=length)


    train_ids = encode(train_texts)
    test_ids = encode(test_texts, length=train_ids.shape[1])
    print("train:", train_ids.shape, " test:", test_ids.shape)
    print("first sentence as ids:", train_ids[0], "->", vocab.decode(train_ids[0], skip_pad=True))
    """),
    md(r"""
    **Batches.** A `DataLoader` serves shuffled mini-batches of 32 sentences. Each batch is
    transposed to (T, B), the layout the §4 LSTM expects (the fix for bug 9):
    """),
    code('''
    def time_major(samples):
        """Stack (ids, label) samples into ids (T, B) and labels (B,)."""
        return torch.stack([x for x, _ in samples]).T, torch.stack([y for _, y in samples])


    train_loader = DataLoader(TensorDataset(train_ids, train_labels), batch_size=32, shuffle=True, collate_fn=time_major)
    test_x, test_y = torch.tensor(test_ids.T), test_labels
    batch, batch_labels = next(iter(train_loader))
    print("one batch:", batch.shape, batch.dtype, batch_labels.shape)
    '''),
    md(r"""
    **The model** is the document's class, unchanged, executed with minidl (the `printed_model`
    string from section 1). Sizes: `embedding_dim = 100` as printed, `hidden_dim = 32`,
    `output_dim = 2`. **The loop** is the document's loop with bugs 10 and 11 fixed: an inner loop
    over mini-batches, and an evaluation on the test set after each epoch.
    """),
    code("""
    exec(printed_model)  # defines TextClassifier, exactly as printed
    model = TextClassifier(len(vocab), 100, 32, 2)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    print(model)


    def predict(model, x):
        model.eval()
        with minidl.no_grad():
            scores = model(x)
        model.train()
        return scores.argmax(dim=1).numpy()


    epochs = 6
    step_losses, test_accuracy, snapshots = [], [], {}
    for epoch in range(epochs):
        model.train()
        for batch, batch_labels in train_loader:
            optimizer.zero_grad()
            output = model(batch)
            loss = criterion(output, batch_labels)
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
        test_accuracy.append(accuracy(test_y, predict(model, test_x)))
        snapshots[epoch + 1] = {k: v.clone() for k, v in model.state_dict().items()}
        print(f"epoch {epoch + 1}: last batch loss {step_losses[-1]:.4f}, test accuracy {test_accuracy[-1]:.3f}")
    """),
    code("""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    steps_per_epoch = len(train_loader)
    ax1.plot(np.arange(1, len(step_losses) + 1) / steps_per_epoch, step_losses, lw=0.8)
    ax1.set_yscale("log")
    ax1.set_title("Training loss per mini-batch")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy")
    ax2.plot(range(1, epochs + 1), test_accuracy, "o-", label="LSTM")
    ax2.axhline(0.5, color="gray", ls="--", label="chance")
    ax2.legend()
    ax2.set_title("Accuracy on the 1000 test sentences")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy")
    plt.show()
    """),
    md(r"""
    The loss stays near $\log 2 \approx 0.69$ (a coin flip) for a while, then falls as the LSTM
    discovers that order matters; test accuracy follows. The numbers are on sentences the model
    never saw during training.

    ## 3. Inside the LSTM: gates, and `nn.LSTM` against `LSTMCell`

    An LSTM reads the sequence one token at a time, keeping two vectors of size $H$: a **cell**
    $c_t$ (the memory) and a **hidden state** $h_t$ (what it outputs). At each step, from the input
    $x_t$ and the previous $h_{t-1}$, it computes four vectors — three **gates** with values in
    $(0, 1)$ ($\sigma$ is the sigmoid) and one candidate:

    $$
    \begin{aligned}
    i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) &&\text{input gate: how much new to write}\\
    f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) &&\text{forget gate: how much memory to keep}\\
    g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) &&\text{candidate: what could be written}\\
    o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) &&\text{output gate: how much memory to show}\\
    c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
    h_t &= o_t \odot \tanh(c_t)
    \end{aligned}
    $$

    ($\odot$ multiplies element by element.) Reading "good but boring", the forget gate can
    erase what "good" wrote once "but" arrives. The four weight matrices of each kind are stacked
    in one parameter, in the order $i, f, g, o$: `weight_ih` is $(4H, E)$, `weight_hh` is
    $(4H, H)$, as in PyTorch. `nn.LSTMCell` is one step, written with minidl's ordinary operations —
    it reads like the equations:
    """),
    code("""
    print(inspect.getsource(nn.LSTMCell.forward))
    """),
    md(r"""
    `nn.LSTM`, which the model uses, runs the whole sequence as one fused operation with a
    hand-written backward (backpropagation through time) because it is much faster. Are the two
    the same function? Copy the trained LSTM's weights into an `LSTMCell`, unroll the cell over a
    batch of test sentences, and compare the last hidden state — and the gradients of a loss
    through both:
    """),
    code("""
    cell = nn.LSTMCell(100, 32)
    cell.load_state_dict({name: model.lstm.state_dict()[name + "_l0"]
                          for name in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]})

    x = test_x[:, :64]  # 64 test sentences, (T, 64)
    embedded = model.embedding(x).detach()

    _, (h_fused, _) = model.lstm(embedded)
    h = c = minidl.zeros(64, 32)
    for t in range(x.shape[0]):
        h, c = cell(embedded[t], (h, c))
    print(f"max |h_n(nn.LSTM) - h_T(unrolled LSTMCell)| = {np.abs(h_fused.data[0] - h.data).max():.1e}")

    model.zero_grad()
    cell.zero_grad()
    (model.lstm(embedded)[1][0] ** 2).sum().backward()
    (h**2).sum().backward()
    for name in ["weight_ih", "weight_hh", "bias_ih"]:
        fused_grad = getattr(model.lstm, name + "_l0").grad.data
        cell_grad = getattr(cell, name).grad.data
        print(f"d/d {name:9}: max difference {np.abs(fused_grad - cell_grad).max():.1e}"
              f"  (largest entry {np.abs(cell_grad).max():.1e})")
    model.zero_grad()
    """),
    md(r"""
    Equal to float32 rounding (about $10^{-7}$ relative), forward and backward. (minidl's test
    suite also gradchecks both in float64.)

    **Watching it read.** Because the model outputs $h_t$ after *every* word, we can apply the
    classifier to each prefix of a sentence and plot the probability of "positive" as the words
    come in. Two sentences with exactly the same words:
    """),
    code('''
    def positive_after_each_word(text):
        """P(positive) from the classifier applied to h_t after each token of `text`."""
        ids = torch.tensor(np.array(vocab.encode(text))[:, None])  # (T, 1)
        with minidl.no_grad():
            hs, _ = model.lstm(model.embedding(ids))  # (T, 1, H)
            probs = minidl.softmax(model.fc(hs[:, 0]), dim=-1)
        return tokenize(text), probs.data[:, 1]


    fig, ax = plt.subplots(figsize=(7, 3.5))
    for text in ["the film was good but boring", "the film was boring but good"]:
        tokens, p = positive_after_each_word(text)
        ax.plot(p, "o-", label=repr(text))
        for k, token in enumerate(tokens):
            ax.annotate(token, (k, p[k]), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    ax.axhline(0.5, color="gray", lw=0.5)
    ax.set_ylim(-0.05, 1.1)
    ax.set_title("The LSTM changes its mind at the word after 'but'")
    ax.set_xlabel("position in the sentence")
    ax.set_ylabel("P(positive) so far")
    ax.legend(loc="lower left")
    plt.show()
    '''),
    md(r"""
    After the first adjective the model leans toward it; after "but" and the second adjective it
    flips to the second one — memory written, then overwritten through the gates.

    ## 4. Evaluation with §6.3's metrics

    §6.3 lists accuracy, precision and recall. With "positive" as the class of interest and
    TP, FP, FN, TN counting true/false positives/negatives:

    $$\text{accuracy} = \frac{TP + TN}{N},\qquad \text{precision} = \frac{TP}{TP + FP},\qquad
      \text{recall} = \frac{TP}{TP + FN},\qquad F_1 = \frac{2\,PR}{P + R}.$$

    Precision: of the sentences called positive, how many are? Recall: of the positive sentences,
    how many were found? The **confusion matrix** shows all four counts. The final model makes
    no mistakes on the test set, so we also evaluate the snapshot saved after epoch 2, which
    still does:
    """),
    code("""
    def evaluate(state, title, ax):
        model.load_state_dict(state)
        pred = predict(model, test_x)
        scores = {"accuracy": accuracy(test_y, pred), "precision": precision(test_y, pred),
                  "recall": recall(test_y, pred), "F1": f1_score(test_y, pred)}
        print(f"{title:16}" + "   ".join(f"{k} {v:.3f}" for k, v in scores.items()))
        cm = confusion_matrix(test_y, pred, labels=[0, 1])
        ax.imshow(cm, cmap="Blues")
        for (i, j), count in np.ndenumerate(cm):
            ax.text(j, i, str(count), ha="center", va="center", color="white" if count > cm.max() / 2 else "black")
        ax.set_xticks([0, 1], ["negative", "positive"])
        ax.set_yticks([0, 1], ["negative", "positive"])
        ax.set_title(title)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        return pred


    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.5))
    pred_early = evaluate(snapshots[2], "after epoch 2", ax1)
    pred_final = evaluate(snapshots[epochs], f"after epoch {epochs}", ax2)
    fig.suptitle("Confusion matrices on the test set")
    fig.tight_layout()
    plt.show()
    """),
    md(r"""
    Accuracy alone hides *where* the errors are. Splitting the test set by template does not:
    """),
    code("""
    test_templates = np.array([template_of(t) for t in test_texts])
    print(f"{'template':24}{'sentences':>10}{'after epoch 2':>15}{'after epoch ' + str(epochs):>16}")
    for name in templates:
        mask = test_templates == name
        print(f"{name:24}{mask.sum():>10}{accuracy(test_y[mask], pred_early[mask]):>15.3f}"
              f"{accuracy(test_y[mask], pred_final[mask]):>16.3f}")
    """),
    md(r"""
    After two epochs the model already reads word order — "but" and "although" sentences are
    all right — but not yet "not": the negated and "and not" sentences hold all its errors, and it
    calls too few sentences positive (recall below precision). Four more epochs fix both. A single
    accuracy number would not have told us which kind of sentence was hard.

    ## 5. The LSTM against a bag of words

    A **bag-of-words** model forgets the order: it averages the embeddings of the words of a
    sentence and classifies the average. It is a fine baseline for many texts (a review full of
    "great" is usually positive), and it is fast. We train it on the same batches, with the same
    loss and optimizer (a larger learning rate, 0.01, since it has few parameters):
    """),
    code('''
    class BagOfWords(nn.Module):
        """Mean of the word embeddings (padding excluded), then a linear layer: order-blind."""

        def __init__(self, vocab_size, embedding_dim, output_dim):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
            self.fc = nn.Linear(embedding_dim, output_dim)

        def forward(self, x):  # x: (T, B) token ids
            words = (x != 0).sum(dim=0, keepdim=True).T.float()
            return self.fc(self.embedding(x).sum(dim=0) / words)


    minidl.manual_seed(0)
    bow = BagOfWords(len(vocab), 100, 2)
    bow_optimizer = optim.Adam(bow.parameters(), lr=0.01)
    for epoch in range(epochs):
        for batch, batch_labels in train_loader:
            bow_optimizer.zero_grad()
            criterion(bow(batch), batch_labels).backward()
            bow_optimizer.step()
    bow_pred = predict(bow, test_x)
    print(f"bag of words: test accuracy {accuracy(test_y, bow_pred):.3f}")
    print(f"LSTM:         test accuracy {accuracy(test_y, pred_final):.3f}")
    '''),
    code("""
    template_names = list(templates)
    per_template = {
        "bag of words": [accuracy(test_y[test_templates == n], bow_pred[test_templates == n]) for n in template_names],
        "LSTM (§4, fixed)": [accuracy(test_y[test_templates == n], pred_final[test_templates == n]) for n in template_names],
    }
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for k, (model_name, accs) in enumerate(per_template.items()):
        ax.bar(np.arange(len(template_names)) + (k - 0.5) * 0.38, accs, width=0.38, label=model_name)
    ax.axhline(0.5, color="gray", ls="--", lw=1)
    ax.set_xticks(range(len(template_names)), template_names, fontsize=8)
    ax.set_ylim(0, 1.3)
    ax.set_title("Test accuracy by sentence template (dashed: chance)")
    ax.set_xlabel("template")
    ax.set_ylabel("accuracy")
    ax.legend(loc="upper center", ncol=2)
    plt.show()
    for name, accs in zip(template_names, zip(*per_template.values())):
        print(f"{name:24} bag of words {accs[0]:.3f}   LSTM {accs[1]:.3f}")

    for text in ["the film was good but boring", "the film was boring but good"]:
        ids = torch.tensor(np.array(vocab.encode(text))[:, None])
        with minidl.no_grad():
            p_bow = minidl.softmax(bow(ids), dim=-1).data[0, 1]
            p_lstm = minidl.softmax(model(ids), dim=-1).data[0, 1]
        print(f"{text!r:32}  P(positive): bag of words {p_bow:.3f}   LSTM {p_lstm:.3f}")
    """),
    md(r"""
    Overall the bag of words is at chance. By template, it did learn something: on plain
    sentences it mostly follows the adjective — and that same rule makes it *worse* than chance on
    negated ones, where "not" flips the meaning. On contrast sentences, which hold one adjective of
    each polarity, the words alone cannot decide the label, and it does little better than
    chance (0.46–0.61). The two sentences at the bottom contain the same words, so
    it *must* give them the same probability, whatever its weights. The LSTM, reading in order,
    gets them all right. That is what the §4 architecture buys — once its bugs are fixed.

    ## Exercises

    1. **Post-padding.** Rebuild the data with `padding="post"` and retrain. *Check:* compare the
       test accuracy after 2 and 6 epochs with the pre-padded run; explain the difference with the
       last hidden state (bug 12).
    2. **`batch_first`.** Fix bug 9 the other way: build the LSTM with `batch_first=True` (in a
       subclass of `TextClassifier`) and feed (B, T) batches without transposing. *Check:* test
       accuracy ≥ 0.95 after 6 epochs.
    3. **An LSTM from `LSTMCell`.** Write a module that unrolls `nn.LSTMCell` over time and use it in
       place of `nn.LSTM`. *Check:* with the weights copied (section 3), its predictions on
       `test_x` equal `predict(model, test_x)`; then time one epoch of each.
    4. **Bigrams for the bag of words.** Add pairs of consecutive words ("but good", "not boring")
       to the vocabulary of the bag-of-words model. *Check:* its per-template accuracy — which
       templates does it now solve, and which still need order beyond two words?
    5. **Save and reload.** `minidl.save(model.state_dict(), "classifier.npz")`, then load it into a
       fresh `TextClassifier` with `minidl.load`. *Check:* the reloaded model's predictions equal
       `pred_final`.
    6. **Packing.** Post-pad the data again, and give the LSTM each batch packed:
       `nn.utils.rnn.pack_padded_sequence(embedded, lengths, enforce_sorted=False)`, with `lengths`
       the number of real tokens of each sentence: `(x != 0).sum(dim=0)` on a (T, B) batch of ids
       (`<pad>` is 0), or `minidl.text.lengths` of the token lists *before* padding, passed along
       with each batch. The LSTM then runs each sentence for its own length, and `hidden` is its
       state after its last real word. *Check:* for a batch of three sentences, the packed model's
       `hidden` equals, row by row, the `hidden` of each sentence fed alone, unpadded. Then compare
       its test accuracy after 2 epochs with the pre-padded and the post-padded runs'.
    7. **Gradients through time.** Watch how far back the loss reaches: register a hook on the
       LSTM, `model.lstm.register_full_backward_hook(hook)`, where `hook(module, grad_input,
       grad_output)` keeps `grad_input[0]`, the gradient of the loss with respect to the LSTM's
       input (the embedded batch, (T, B, E)). Backpropagate one training batch's loss, then plot
       the mean over the batch of $\lVert \partial L / \partial x_t \rVert$ against the position
       $t$ (call `handle.remove()` afterwards). *Check:* the last position gets the largest
       gradient and it shrinks with every step back, to 1% of it or less at the first position —
       the vanishing gradient that the LSTM's cell slows but does not stop. Do the same for the
       untrained model and after epoch 2 (`snapshots`).
    """),
]

if __name__ == "__main__":
    build("04_text_classifier_lstm.ipynb", cells)
