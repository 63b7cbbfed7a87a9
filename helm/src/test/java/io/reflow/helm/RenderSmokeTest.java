package io.reflow.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import org.junit.jupiter.api.Test;

class RenderSmokeTest {
    @Test
    void prints() {
        Release r = new Helm(Chart.dir()).install().withName("reflow").withNamespace("analytics").withKubeVersion("v1.30.0").dryRun().clientOnly().call();
        System.out.println(r.getOutput());
    }
}
