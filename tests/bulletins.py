"""Small bulletins written for the tests, one per layout era, with what segmenting should find.

The text is the project's own, in the bulletins' style. `EXPECTED` lists, per bulletin, the
(section key, head, region) of every paragraph in order, so a test can check the whole structure.
"""

from __future__ import annotations

BULLETIN_2019 = """\
教育部办公厅
2019年5月教育信息化和网络安全工作月报
【摘要】教育部召开教育信息化工作推进会，部署网络学习空间应用普及活动。国家数字教育资源公共服务体系接入平台达到150个。多地启动网络安全宣传周筹备工作。

★教育信息化重点工作进展

数字资源服务普及行动　国家教育资源公共服务平台新增注册用户12万人，累计汇聚资源1.2万余条。
网络学习空间覆盖行动　新开通教师空间2万个、学生空间5万个，空间应用培训覆盖教师3000余人次。
网络扶智工程攻坚行动　组织东部地区学校与西部薄弱学校结对开展同步课堂，本月共开设课程86节。
“三个课堂”　完成三个课堂典型案例征集工作，收到各地报送案例420个。
教育治理能力优化行动：全国学生资助管理信息系统完成春季学期资助数据核查。

★网络安全重点工作进展

网络安全事件处置　本月处置网页篡改事件3起，均已完成整改。
信息系统安全监测　监测发现漏洞215个，已全部通报相关单位。

★各地工作动态

北京　市教委召开全市中小学信息化工作会议。
广西壮族自治区　自治区教育厅举办教师信息技术应用能力提升培训班，培训骨干教师600人。
新疆生产建设兵团　兵团教育局开展教育系统网络安全检查。
"""

BULLETIN_2021 = """\
【摘要】教育部印发年度网络安全工作要点，国家中小学网络云平台持续提供优质资源服务。多地开展IPv6部署工作。

★教育信息化重点工作进展 

数字资源服务普及行动 国家中小学网络云平台本月浏览次数达到3.5亿次,新上线专题教育资源120节。
数字校园规范建设行动 全国中小学互联网接入率达到100%,出口带宽100M以上的学校占比99.5%。
2021年网络安全宣传周 教育日活动于9月14日举办,各地 学校 广泛参与。
教育部召开全国教育信息化工作视频会议，总结上半年工作进展。

★网络安全重点工程进展

关键信息基础设施保护 完成教育系统关键信息基础设施运营者名单梳理工作。

★各地工作动态

河北 省教育厅印发全省教育新型基础设施建设工作方案。
黑龙江省教育厅组织开展全省高校网络安全攻防演练。
"""

BULLETIN_2023 = """\
首页 > 工作动态 > 月报
发布时间：2023-03-31
教育部教育信息化和网络安全工作月报 2023年第3期
摘要：国家智慧教育公共服务平台上线新版服务大厅，教育部启动教育数字化转型试点区建设。

★中央网信工作重要部署

中央网信办印发年度网络安全和信息化工作要点，部署数字中国建设重点任务。

★国家教育数字化战略行动

国家中小学智慧教育平台 本月访问量超过2亿次，新增课程资源1500余条。
国家高等教育智慧教育平台 上线课程2.7万门，注册用户达到5000万人。

★教育信息化重点工作

教育App备案 累计完成备案的教育App达到3800个。

★网络安全重点工作进展

数据安全 组织开展教育系统数据安全风险评估，检查信息系统260个。

★各地工作动态

内蒙古 自治区教育厅推进智慧教育示范区建设。
重庆市 市教委发布中小学人工智能教育指南。

声明：本文转载自网络，仅供学习交流。
"""

# (section key, head as written, region) for each paragraph after the abstract.
EXPECTED = {
    "2019": [
        ("informatization", "数字资源服务普及行动", None),
        ("informatization", "网络学习空间覆盖行动", None),
        ("informatization", "网络扶智工程攻坚行动", None),
        ("informatization", "“三个课堂”", None),
        ("informatization", "教育治理能力优化行动", None),
        ("security", "网络安全事件处置", None),
        ("security", "信息系统安全监测", None),
        ("regional", "北京", "北京"),
        ("regional", "广西壮族自治区", "广西"),
        ("regional", "新疆生产建设兵团", "新疆生产建设兵团"),
    ],
    "2021": [
        ("informatization", "数字资源服务普及行动", None),
        ("informatization", "数字校园规范建设行动", None),
        ("informatization", "2021年网络安全宣传周", None),
        ("informatization", None, None),
        ("security", "关键信息基础设施保护", None),
        ("regional", "河北", "河北"),
        ("regional", None, "黑龙江"),
    ],
    "2023": [
        ("central", None, None),
        ("digital_strategy", "国家中小学智慧教育平台", None),
        ("digital_strategy", "国家高等教育智慧教育平台", None),
        ("informatization", "教育App备案", None),
        ("security", "数据安全", None),
        ("regional", "内蒙古", "内蒙古"),
        ("regional", "重庆市", "重庆"),
    ],
}

BULLETINS = {"2019": BULLETIN_2019, "2021": BULLETIN_2021, "2023": BULLETIN_2023}
