package io.pgscribe.archfixture.b;

import io.pgscribe.archfixture.a.Left;

/** Other half of the deliberate cycle of {@link Left}. */
public class Right {
    public Left left() {
        return new Left();
    }
}
