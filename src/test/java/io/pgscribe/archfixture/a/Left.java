package io.pgscribe.archfixture.a;

import io.pgscribe.archfixture.b.Right;

/** Half of a deliberate package cycle: proves {@code ArchitectureTest}'s rule can fail. */
public class Left {
    public Right right() {
        return new Right();
    }
}
